using System.Globalization;
using ReverseShellFunction.Endpoints;

namespace ReverseShellFunction.Hosting;

/// <summary>Builds the HTTP function: composition only, shared by <c>serve</c>, the tests and the benchmarks.</summary>
public static class FunctionApp
{
    /// <param name="configureServices">Registrations made before the pipeline's, for tests and benchmarks to
    /// put in seams such as a token source (the pipeline only adds those when absent).</param>
    public static WebApplication Build(string[] args, FunctionSettings settings, Action<IServiceCollection>? configureServices = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var builder = WebApplication.CreateSlimBuilder(args);

        // Cloud Run sets PORT (validated with the other settings); the function listens on every interface there.
        if (builder.Configuration["urls"] is null && Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is null)
        {
            builder.WebHost.UseUrls($"http://0.0.0.0:{settings.Port.ToString(CultureInfo.InvariantCulture)}");
        }

        // Bodies are bounded by the intake's own reader, which quarantines oversize requests with a 2xx.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);
        builder.Logging.AddFunctionConsole(settings.CloudLoggingJson);
        configureServices?.Invoke(builder.Services);
        builder.Services.AddEvidencePipeline(settings);

        var app = builder.Build();
        app.MapIntake();
        app.MapCompletion();
        return app;
    }
}
