# syntax=docker/dockerfile:1

# ---- build ------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Repository-wide build settings first (SDK pin, strict build props, central
# package versions, and .editorconfig: the analyzer severities the strict build
# relies on; without it CA1848 warnings fail the build), then the sources. Restore runs as its own step so the
# package layer is reused while only code changes.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY function/ function/
# ReadyToRun: the function's and its packages' code is compiled ahead of time for linux-x64 (Cloud Run's
# platform), still framework-dependent on the runtime image. The first event after a cold start came 20 %
# sooner in the benchmarks (docs/benchmarks.md); the restore needs the linux-x64 runtime packs from NuGet.
RUN dotnet restore function/ReverseShellFunction/ReverseShellFunction.csproj -r linux-x64 -p:PublishReadyToRun=true
RUN dotnet publish function/ReverseShellFunction/ReverseShellFunction.csproj \
      -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o /app --no-restore

# ---- runtime ----------------------------------------------------------------
# Chiseled: no shell or package manager, and a non-root "app" user by default.
# The project sets InvariantGlobalization, so the missing ICU is not a problem.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app ./

# The app binds to $PORT itself (Cloud Run sets it). Clear the base image's
# default HTTP port so there is a single source for the listen address;
# ASPNETCORE_URLS is deliberately not set.
ENV ASPNETCORE_HTTP_PORTS=

# Explicit, even though the chiseled image already defaults to this user.
USER $APP_UID

ENTRYPOINT ["dotnet", "ReverseShellFunction.dll", "serve"]
