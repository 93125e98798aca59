# syntax=docker/dockerfile:1

# ---- build ------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Repository-wide build settings first (SDK pin, strict build props, central
# package versions, and .editorconfig: the analyzer severities the strict build
# relies on; without it CA1848 warnings fail the build), then the sources.
# Restore runs as its own step so the package layer is reused while only code
# changes.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY function/ function/
# Self-contained, ReadyToRun composite for linux-x64 (Cloud Run's platform): the runtime, ASP.NET Core, the
# packages and the function compiled ahead of time into one native image, so a cold start jits little. In the
# benchmarks (docs/benchmarks.md) the first event after process start came at 1.8x a bare ASP.NET Core app's
# first response, against 3.2x for the JIT build and 2.4x for a framework-dependent ReadyToRun publish. The
# restore fetches the linux-x64 runtime packs and crossgen from NuGet; the publish takes about 1.5 minutes.
RUN dotnet restore function/ReverseShellFunction/ReverseShellFunction.csproj \
      -r linux-x64 -p:SelfContained=true -p:PublishReadyToRun=true
RUN dotnet publish function/ReverseShellFunction/ReverseShellFunction.csproj \
      -c Release -r linux-x64 --self-contained true \
      -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o /app --no-restore

# ---- runtime ----------------------------------------------------------------
# Chiseled: no shell or package manager, and a non-root "app" user by default.
# The project sets InvariantGlobalization, so the missing ICU is not a problem.
# runtime-deps: the app is self-contained, so the image needs only the native
# dependencies of .NET, not the shared runtime.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app ./

# The app binds to $PORT itself (Cloud Run sets it). Clear the base image's
# default HTTP port so there is a single source for the listen address;
# ASPNETCORE_URLS is deliberately not set.
ENV ASPNETCORE_HTTP_PORTS=

# Explicit, even though the chiseled image already defaults to this user.
USER $APP_UID

ENTRYPOINT ["./ReverseShellFunction", "serve"]
