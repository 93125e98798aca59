using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ReverseShellFunction.Fakes.Tsa;

/// <summary>
/// A real RFC 3161 time-stamping authority for tests: OpenSSL's <c>openssl ts -reply</c> behind a small Kestrel
/// listener at 127.0.0.1 that takes <c>application/timestamp-query</c> and answers <c>application/timestamp-reply</c>
/// (RFC 3161 section 3.4). Its CA and TSA certificate (extendedKeyUsage critical, timeStamping) are made at start
/// in a private temporary folder, so nothing is shipped. Needs the openssl command.
/// </summary>
public sealed class OpenSslTsa : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dir;
    private readonly SemaphoreSlim _serial = new(1, 1);
    private int _failures;
    private int _requests;
    private byte[]? _lastReply;
    private int _replayNext;

    private OpenSslTsa(WebApplication app, string dir)
    {
        _app = app;
        _dir = dir;
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>The CA certificate (PEM) the TSA certificate chains to: what an auditor passes as --tsa-cert.</summary>
    public string CaCertificatePath => Path.Combine(_dir, "ca.crt");

    /// <summary>The TSA's own certificate (PEM).</summary>
    public string TsaCertificatePath => Path.Combine(_dir, "tsa.crt");

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The next <paramref name="count"/> requests answer 503 without a token.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failures, count);

    /// <summary>The next request gets the previous reply again (another digest and nonce), as a replaying middlebox would send.</summary>
    public void ReplayPreviousReplyNext() => Interlocked.Exchange(ref _replayNext, 1);

    public static async Task<OpenSslTsa> StartAsync(CancellationToken cancellationToken = default)
    {
        var dir = Path.Combine(Path.GetTempPath(), "rsf-tsa-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        await MakeCertificatesAsync(dir, cancellationToken);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var tsa = new OpenSslTsa(app, dir);
        app.Run(tsa.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        tsa.Url = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/tsa");
        return tsa;
    }

    /// <summary>Runs openssl with the arguments; returns stdout and stderr, throwing on a non-zero exit.</summary>
    public static async Task<(string Output, string Error)> RunOpenSslAsync(string workingDirectory, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo("openssl") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new OpenSslException(process.ExitCode, await output, await error);
        }

        return (await output, await error);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _serial.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder; the OS cleans it later.
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        if (!HttpMethods.IsPost(context.Request.Method) || context.Request.ContentType != "application/timestamp-query")
        {
            context.Response.StatusCode = 415;
            await context.Response.WriteAsync("POST application/timestamp-query", context.RequestAborted);
            return;
        }

        if (Interlocked.Decrement(ref _failures) >= 0)
        {
            context.Response.StatusCode = 503;
            return;
        }

        Interlocked.Exchange(ref _failures, 0);
        if (Interlocked.Exchange(ref _replayNext, 0) == 1 && _lastReply is { } stale)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/timestamp-reply";
            await context.Response.Body.WriteAsync(stale, context.RequestAborted);
            return;
        }

        var id = Guid.NewGuid().ToString("N");
        var query = Path.Combine(_dir, id + ".tsq");
        var reply = Path.Combine(_dir, id + ".tsr");
        await using (var file = File.Create(query))
        {
            await context.Request.Body.CopyToAsync(file, context.RequestAborted);
        }

        // openssl keeps the serial number in a file: one reply at a time.
        await _serial.WaitAsync(context.RequestAborted);
        try
        {
            await RunOpenSslAsync(_dir, ["ts", "-reply", "-config", "tsa.cnf", "-queryfile", query, "-out", reply], context.RequestAborted);
        }
        finally
        {
            _serial.Release();
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/timestamp-reply";
        var bytes = await File.ReadAllBytesAsync(reply, context.RequestAborted);
        _lastReply = bytes;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        File.Delete(query);
        File.Delete(reply);
    }

    private static async Task MakeCertificatesAsync(string dir, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(Path.Combine(dir, "tsa-ext.cnf"), "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dir, "serial"), "01\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(dir, "tsa.cnf"), string.Create(CultureInfo.InvariantCulture, $"""
            [ tsa ]
            default_tsa = tsa_config
            [ tsa_config ]
            dir = {dir}
            serial = $dir/serial
            crypto_device = builtin
            signer_cert = $dir/tsa.crt
            certs = $dir/ca.crt
            signer_key = $dir/tsa.key
            signer_digest = sha256
            default_policy = 1.3.6.1.4.1.55555.1
            digests = sha256, sha384, sha512
            accuracy = secs:1
            ordering = yes
            tsa_name = yes
            ess_cert_id_chain = no
            ess_cert_id_alg = sha256

            """), cancellationToken);
        string[] curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
        await RunOpenSslAsync(dir, ["req", "-x509", .. curve, "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=Custody Test TSA CA", "-days", "3",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], cancellationToken);
        await RunOpenSslAsync(dir, ["req", .. curve, "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/CN=Custody Test TSA"], cancellationToken);
        await RunOpenSslAsync(dir, ["x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "tsa.crt", "-days", "2", "-extfile", "tsa-ext.cnf"], cancellationToken);
    }
}

/// <summary>openssl exited non-zero; the message carries what it printed.</summary>
public sealed class OpenSslException : Exception
{
    public OpenSslException()
    {
    }

    public OpenSslException(string message)
        : base(message)
    {
    }

    public OpenSslException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public OpenSslException(int exitCode, string output, string error)
        : base($"openssl exited {exitCode}: {error.Trim()} {output.Trim()}")
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }
}
