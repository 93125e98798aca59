using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using ReverseShellFunction.Bundle;
using ReverseShellFunction.Delivery;
using ReverseShellFunction.Infrastructure.LocalFolder;
using ReverseShellFunction.Pipeline;
using ReverseShellFunction.Tests.Support;

namespace ReverseShellFunction.Tests.Robustness;

/// <summary>
/// The intake cases found by trying the function as an attacker would (issue "Auditing and intake that never
/// break"): each must end as 200 stored or 200 quarantined, never a 5xx that Pub/Sub redelivers for ever, and
/// never lose the request.
/// </summary>
public sealed class HostileIntakeTest : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static byte[] SampleData => TestData.Sample("reverse-shell.notification.json");

    /// <summary>A push body with <paramref name="member"/> replaced by raw bytes, which JSON text cannot hold otherwise.</summary>
    private static byte[] PushWithRawMember(string member, byte[] rawValue)
    {
        var body = Encoding.UTF8.GetString(Notifications.PushBody(SampleData));
        var marker = $"\"{member}\":\"";
        var start = body.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        var end = body.IndexOf('"', start);
        return [.. Encoding.UTF8.GetBytes(body[..start]), .. rawValue, .. Encoding.UTF8.GetBytes(body[end..])];
    }

    public static TheoryData<string, byte[], string?> EnvelopeText => new()
    {
        { "message.messageId with invalid UTF-8", PushWithRawMember("messageId", [0xff, 0xfe]), null },
        { "message.messageId with an escaped lone surrogate", PushWithRawMember("messageId", "\\ud800"u8.ToArray()), null },
        { "subscription with an escaped lone surrogate", PushWithRawMember("subscription", "x\\udc00"u8.ToArray()), null },
        { "subscription with invalid UTF-8", PushWithRawMember("subscription", [0xc3, 0x28]), null },
        { "binary-mode body whose data is invalid UTF-8", [.. "{\"message\":{\"data\":\""u8, 0xff, .. "\"}}"u8], "binary" },
    };

    [Theory]
    [MemberData(nameof(EnvelopeText))]
    public async Task EnvelopeWithInvalidText_IsQuarantinedNot500(string description, byte[] body, string? mode)
    {
        await using var host = await FunctionHost.StartAsync(new Dictionary<string, string>(), new LocalEvidenceStore(_folder.Path));
        using var request = new HttpRequestMessage(HttpMethod.Post, "") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (mode == "binary")
        {
            foreach (var (name, value) in RawDeliveries.Binary(body).Headers.Where(h => h.Key.StartsWith("ce-", StringComparison.Ordinal)))
            {
                request.Headers.Add(name, value);
            }
        }

        using var response = await host.Client.SendAsync(request);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{description}: {response.StatusCode}");
        Assert.Equal("quarantined", result.GetProperty("outcome").GetString());
        Assert.True(File.Exists(Path.Combine(_folder.Path, result.GetProperty("objectName").GetString()!)), description);
    }

    /// <summary>Push bodies found by running the fuzz suite's mutations through the intake alone: each used to end as Unreadable, logged as an error.</summary>
    public static TheoryData<string, string, string, string> OddEnvelopes => new()
    {
        { "message.data is an escaped lone surrogate", "\"data\":\"DATA\"", "\"data\":\"\\ud800\"", nameof(DeliveryProblem.NotBase64) },
        { "message.data holds an escaped lone low surrogate", "\"data\":\"DATA\"", "\"data\":\"x\\udc00y\"", nameof(DeliveryProblem.NotBase64) },
        { "a message member name with a lone surrogate", "\"message\":{", "\"message\":{\"d\\ud800\":1,", nameof(DeliveryProblem.EnvelopeNotText) },
        { "an envelope member name with lone surrogates", "\"subscription\":", "\"\\udc00xx\":1,\"subscription\":", nameof(DeliveryProblem.EnvelopeNotText) },
        { "an empty message id", "\"messageId\":\"4711\"", "\"messageId\":\"\"", nameof(DeliveryProblem.NotACloudEvent) },
        { "a message id with a control character", "\"messageId\":\"4711\"", "\"messageId\":\"\\u001b]0;x\\u0007\"", nameof(DeliveryProblem.NotACloudEvent) },
        { "a notification member name with a lone surrogate", "\"finding\":", "\"fin\\udc00xx\":{},\"finding\":", nameof(DeliveryProblem.NotificationNotJson) },
    };

    [Theory]
    [MemberData(nameof(OddEnvelopes))]
    public async Task OddEnvelope_QuarantinedUnderItsDocumentedProblem_OneWarningNoError(string description, string target, string replacement, string problem)
    {
        byte[] body;
        if (target == "\"finding\":")
        {
            var notification = Encoding.UTF8.GetString(SampleData);
            Assert.Contains(target, notification, StringComparison.Ordinal);
            body = Notifications.PushBody(Encoding.UTF8.GetBytes(notification.Replace(target, replacement, StringComparison.Ordinal)), messageId: "4711");
        }
        else
        {
            var text = Encoding.UTF8.GetString(Notifications.PushBody(SampleData, messageId: "4711"));
            var data = text.IndexOf("\"data\":\"", StringComparison.Ordinal) + "\"data\":\"".Length;
            text = text[..data] + "DATA" + text[text.IndexOf('"', data)..];
            Assert.Contains(target, text, StringComparison.Ordinal);
            body = Encoding.UTF8.GetBytes(text.Replace(target, replacement, StringComparison.Ordinal).Replace("DATA", Convert.ToBase64String(SampleData), StringComparison.Ordinal));
        }

        using var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        var store = new LocalEvidenceStore(_folder.Path);
        var function = Pipelines.Build(store, time: new FixedTimeProvider(PipelineHarness.Now)).Function;
        var processor = new IntakeProcessor(function, new QuarantineWriter(store, factory.CreateLogger<QuarantineWriter>()), new FixedTimeProvider(PipelineHarness.Now));

        var result = await processor.ProcessAsync(RawDeliveries.Push(body), CancellationToken.None);

        Assert.True(result.Outcome == PipelineOutcome.Quarantined, $"{description}: {result.Outcome} {result.Reason}");
        Assert.True(result.Reason.StartsWith(problem + ":", StringComparison.Ordinal), $"{description}: {result.Reason}");
        var record = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_folder.Path, result.ObjectName!))).RootElement;
        Assert.Equal(problem, record.GetProperty("problem").GetString());
        Assert.Equal(body, Convert.FromBase64String(record.GetProperty("bodyBase64").GetString()!));
        var line = Assert.Single(logs.Lines);
        Assert.Equal(LogLevel.Warning, line.Level);
    }

    [Fact]
    public async Task SourcePropertyWithInvalidUtf8_IsStoredNot500()
    {
        // Unwrapped, so raw bytes reach the notification: the summary reads Container_Image_Uri leniently.
        var body = Encoding.UTF8.GetString(Notifications.SampleNotification().Bytes());
        var start = body.IndexOf("\"Container_Image_Uri\":\"", StringComparison.Ordinal) + "\"Container_Image_Uri\":\"".Length;
        byte[] notification = [.. Encoding.UTF8.GetBytes(body[..start]), 0xff, 0x41, .. Encoding.UTF8.GetBytes(body[body.IndexOf('"', start)..])];

        var result = await PipelineFor().ProcessAsync(RawDeliveries.Push(notification), CancellationToken.None);

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        Assert.Equal("\ufffdA", result.IndexEntry!.Summary.Container.ImageUri);
    }

    [Fact]
    public async Task AttributeValueWithLoneSurrogate_IsQuarantined()
    {
        var body = Encoding.UTF8.GetString(Notifications.PushBody(SampleData)).Replace("\"attributes\":{}", "\"attributes\":{\"k\":\"\\ud800\"}", StringComparison.Ordinal);

        var result = await PipelineFor().ProcessAsync(RawDeliveries.Push(Encoding.UTF8.GetBytes(body)), CancellationToken.None);

        Assert.Equal(PipelineOutcome.Quarantined, result.Outcome);
        Assert.StartsWith(nameof(DeliveryProblem.EnvelopeNotText), result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StructuredCloudEventIdWithLoneSurrogate_IsQuarantined()
    {
        var structured = Encoding.UTF8.GetString(RawDeliveries.Structured(Notifications.PushBody(SampleData)).Body.Span)
            .Replace("\"id\":\"13059784412345678\"", "\"id\":\"\\ud800\"", StringComparison.Ordinal);
        var raw = RawDeliveries.Push(Encoding.UTF8.GetBytes(structured)) with
        {
            Headers = new Dictionary<string, string> { ["content-type"] = "application/cloudevents+json" },
        };

        var result = await PipelineFor().ProcessAsync(raw, CancellationToken.None);

        Assert.Equal(PipelineOutcome.Quarantined, result.Outcome);
    }

    [Theory]
    [InlineData("processes")]
    [InlineData("containers")]
    [InlineData("connections")]
    public async Task NullElementInAFindingList_IsStoredNot500(string list)
    {
        var notification = Notifications.SampleNotification();
        var first = notification.Finding()[list]?.AsArray().FirstOrDefault()?.DeepClone();
        notification.Finding()[list] = new JsonArray([null, first]);

        var result = await PipelineFor().ProcessAsync(RawDeliveries.Push(Notifications.PushBody(notification.Bytes())), CancellationToken.None);

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
    }

    [Fact]
    public async Task NullsInEveryNestedList_AreStored()
    {
        var notification = Notifications.SampleNotification();
        var finding = notification.Finding();
        finding["processes"]![0]!["args"] = new JsonArray("sh", null, "-i");
        finding["indicator"] = new JsonObject { ["ipAddresses"] = new JsonArray([null]), ["domains"] = new JsonArray([null, "evil.example"]) };
        finding["mitreAttack"] = new JsonObject { ["primaryTechniques"] = new JsonArray([null]), ["additionalTactics"] = new JsonArray([null]), ["additionalTechniques"] = new JsonArray([null]) };

        var result = await PipelineFor().ProcessAsync(RawDeliveries.Push(Notifications.PushBody(notification.Bytes())), CancellationToken.None);

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        Assert.Equal(["sh", "-i"], result.IndexEntry!.Summary.Processes[0].Args);
    }

    [Fact]
    public async Task SourcePropertyWithLoneSurrogate_IsStoredNot500()
    {
        // Found by the fuzz suite: the summary read Container_Image_Uri with GetString, which threw.
        var body = Encoding.UTF8.GetString(Notifications.SampleNotification().Bytes());
        var start = body.IndexOf("\"Container_Image_Uri\":\"", StringComparison.Ordinal) + "\"Container_Image_Uri\":\"".Length;
        body = body[..start] + "\\ud800" + body[body.IndexOf('"', start)..];

        var result = await PipelineFor().ProcessAsync(RawDeliveries.Push(Notifications.PushBody(Encoding.UTF8.GetBytes(body))), CancellationToken.None);

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        Assert.Equal("\\ud800", result.IndexEntry!.Summary.Container.ImageUri);
    }

    [Theory]
    [InlineData("12:00")]
    [InlineData("2026-11-28")]
    [InlineData("11/28/2026 21:14:07")]
    [InlineData("28 Nov 2026 21:14:07")]
    [InlineData("2026-11-28T21:14:07")]
    public async Task EventTimeNotRfc3339_IsQuarantined(string eventTime)
    {
        var notification = Notifications.SampleNotification();
        notification.Finding()["eventTime"] = eventTime;
        notification.Finding()["createTime"] = eventTime;

        var result = await PipelineFor().ProcessAsync(RawDeliveries.Push(Notifications.PushBody(notification.Bytes())), CancellationToken.None);

        Assert.Equal(PipelineOutcome.Quarantined, result.Outcome);
        Assert.StartsWith(nameof(DeliveryProblem.NoEventTime), result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("1999-12-31T23:59:59Z")]
    [InlineData("2026-11-30T21:14:43Z")]
    public async Task EventTimeNoGenuineFindingHas_IsQuarantined(string eventTime)
    {
        var notification = Notifications.SampleNotification();
        notification.Finding()["eventTime"] = eventTime;

        var result = await PipelineFor().ProcessAsync(RawDeliveries.Push(Notifications.PushBody(notification.Bytes())), CancellationToken.None);

        Assert.Equal(PipelineOutcome.Quarantined, result.Outcome);
        Assert.StartsWith(nameof(DeliveryProblem.ImplausibleEventTime), result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-11-28T21:14:07.482123456Z")]
    [InlineData("2026-11-28t22:14:07.482+01:00")]
    public async Task EventTimeInOtherRfc3339Forms_IsTheSameInstant(string eventTime)
    {
        var notification = Notifications.SampleNotification();
        notification.Finding()["eventTime"] = eventTime;

        var result = await PipelineFor().ProcessAsync(RawDeliveries.Push(Notifications.PushBody(notification.Bytes())), CancellationToken.None);

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        Assert.StartsWith("20261128T211407482Z-", result.BundleId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HugeBody_QuarantineRecordsTrueLengthAndHashOfAllOfIt()
    {
        await using var host = await FunctionHost.StartAsync(new Dictionary<string, string>(), new LocalEvidenceStore(_folder.Path));
        var body = new byte[20 * 1024 * 1024];
        new Random(7).NextBytes(body);

        using var response = await host.Client.PostAsync(new Uri("", UriKind.Relative), new ByteArrayContent(body));
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var record = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_folder.Path, result.GetProperty("objectName").GetString()!))).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body.LongLength, record.GetProperty("bodyLength").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), record.GetProperty("bodySha256").GetString());
        Assert.True(record.GetProperty("bodyTruncated").GetBoolean());
        Assert.Equal(QuarantineWriter.MaxBodyBytes, Convert.FromBase64String(record.GetProperty("bodyBase64").GetString()!).Length);
    }

    [Fact]
    public async Task SameBodyInTheSameMillisecond_TwoDeliveries_TwoRecords()
    {
        var store = new LocalEvidenceStore(_folder.Path);
        var processor = Pipelines.Build(store, time: new FixedTimeProvider(PipelineHarness.Now)).Processor;
        var raw = RawDeliveries.Push("not json"u8.ToArray());

        var first = await processor.ProcessAsync(raw, CancellationToken.None);
        var second = await processor.ProcessAsync(raw, CancellationToken.None);

        Assert.Equal(PipelineOutcome.Quarantined, second.Outcome);
        Assert.NotEqual(first.ObjectName, second.ObjectName);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(_folder.Path, "quarantine"), "*.json", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task QuarantineKeepsOnlyAllowlistedHeaderValues()
    {
        var raw = RawDeliveries.Push("not json"u8.ToArray()) with
        {
            Headers = new Dictionary<string, string>
            {
                ["Content-Type"] = "application/json",
                ["X-Forwarded-Authorization"] = "Bearer secret-forwarded",
                ["X-Goog-Api-Key"] = "secret-api-key",
                ["X-Api-Key"] = "secret-x-api-key",
                ["ce-authtoken"] = "secret-extension",
                ["Authorization"] = "Bearer secret-oidc",
                ["Cookie"] = "session=secret-cookie",
                ["User-Agent"] = "APIs-Google",
            },
        };

        var result = await PipelineFor().ProcessAsync(raw, CancellationToken.None);
        var text = File.ReadAllText(Path.Combine(_folder.Path, result.ObjectName!));
        var record = JsonDocument.Parse(text).RootElement;

        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.Equal("APIs-Google", record.GetProperty("headers").GetProperty("user-agent").GetString());
        Assert.Equal(
            ["authorization", "ce-authtoken", "cookie", "x-api-key", "x-forwarded-authorization", "x-goog-api-key"],
            record.GetProperty("droppedHeaders").EnumerateArray().Select(h => h.GetString()));
    }

    [Fact]
    public async Task HugeDescription_IndexEntryStaysSmall_NotificationKeepsItAll()
    {
        var notification = Notifications.SampleNotification();
        notification.Finding()["description"] = new string('d', 9_000_000);

        var result = await PipelineFor().ProcessAsync(RawDeliveries.Push(Notifications.PushBody(notification.Bytes())), CancellationToken.None);
        var index = new FileInfo(Path.Combine(_folder.Path, result.ObjectName!));

        Assert.Equal(PipelineOutcome.Stored, result.Outcome);
        Assert.True(index.Length < 64 * 1024, $"index entry has {index.Length} bytes");
        Assert.Contains("notification.json has it all", result.IndexEntry!.Summary.Finding.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalStoreFolderCannotBeCreated_Is503()
    {
        var file = Path.Combine(_folder.Path, "a-file");
        await File.WriteAllTextAsync(file, "x");
        await using var host = await FunctionHost.StartAsync(new Dictionary<string, string> { ["EVIDENCE_DIR"] = Path.Combine(file, "evidence") });

        using var response = await host.Client.PostAsync(new Uri("", UriKind.Relative), new ByteArrayContent(Notifications.PushBody(SampleData)));
        using var quarantine = await host.Client.PostAsync(new Uri("", UriKind.Relative), new ByteArrayContent("garbage"u8.ToArray()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, quarantine.StatusCode);
    }

    private IntakeProcessor PipelineFor() =>
        Pipelines.Build(new LocalEvidenceStore(_folder.Path), time: new FixedTimeProvider(PipelineHarness.Now)).Processor;
}
