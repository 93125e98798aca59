// A bare ASP.NET Core app: the same slim host builder and the same PORT handling as the function, one endpoint
// that reads the request body and answers with JSON. The benchmarks time its process start to first response.
var builder = WebApplication.CreateSlimBuilder(args);
var port = Environment.GetEnvironmentVariable("PORT") is { Length: > 0 } p ? p : "8080";
if (builder.Configuration["urls"] is null && Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is null)
{
    builder.WebHost.UseUrls($"http://0.0.0.0:{port}");
}

var app = builder.Build();
app.MapPost("/", async (HttpRequest request) =>
{
    using var reader = new StreamReader(request.Body);
    var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
    return Results.Json(new { outcome = "ok", bytes = body.Length });
});
app.MapGet("/ready", () => Results.Ok(new { status = "ready" }));
await app.RunAsync();
