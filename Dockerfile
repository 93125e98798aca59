# syntax=docker/dockerfile:1
#
# Build for Cloud Run, which runs linux/amd64 only, from any machine:
#   docker build --platform linux/amd64 -t IMAGE .
#
# Base images are pinned by digest (the tag each digest was taken from is on the line above it), so a rebuild
# uses the same bases until someone moves the pin on purpose. These digests were read from public Dockerfiles
# that pin the same tags (they could not be pulled on the machine this was written on); before a release,
# refresh them with
#   docker buildx imagetools inspect mcr.microsoft.com/dotnet/sdk:10.0 --format '{{json .Manifest.Digest}}'
#   docker buildx imagetools inspect mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled --format '{{json .Manifest.Digest}}'
# and paste the printed digests below.

# ---- build ------------------------------------------------------------------
# Needs BuildKit (the default builder since Docker 23, and in docker buildx) for $BUILDPLATFORM.
# The SDK runs natively on the build machine ($BUILDPLATFORM, arm64 on Apple Silicon) and cross-compiles for
# linux-x64, which is faster than emulating an amd64 SDK.
# mcr.microsoft.com/dotnet/sdk:10.0
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0@sha256:ea8bde36c11b6e7eec2656d0e59101d4462f6bd630730f2c8201ed0572b295d5 AS build
WORKDIR /src

# Restore from the project files alone, so the package layer is reused while only code changes. First the
# repository-wide build settings (SDK pin, strict build props, central package versions, and .editorconfig:
# the analyzer severities the strict build relies on; without it CA1848 warnings fail the build).
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY function/ReverseShellFunction.Core/ReverseShellFunction.Core.csproj function/ReverseShellFunction.Core/
COPY function/ReverseShellFunction/ReverseShellFunction.csproj function/ReverseShellFunction/
# Self-contained, ReadyToRun composite for linux-x64 (Cloud Run's platform): the runtime, ASP.NET Core, the
# packages and the function compiled ahead of time into one native image, so a cold start jits little (the
# benchmarks, docs/benchmarks.md, time it against a bare ASP.NET Core app published the same way). The
# restore fetches the linux-x64 runtime packs and crossgen from NuGet; the publish takes about 1.5 minutes.
RUN dotnet restore function/ReverseShellFunction/ReverseShellFunction.csproj \
      -r linux-x64 -p:SelfContained=true -p:PublishReadyToRun=true
COPY function/ function/
RUN dotnet publish function/ReverseShellFunction/ReverseShellFunction.csproj \
      -c Release -r linux-x64 --self-contained true \
      -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o /app --no-restore

# ---- runtime ----------------------------------------------------------------
# Always amd64, whatever the build machine: an arm64 image would not start on Cloud Run.
# Chiseled: no shell or package manager, and a non-root "app" user by default.
# The project sets InvariantGlobalization, so the missing ICU is not a problem.
# runtime-deps: the app is self-contained, so the image needs only the native
# dependencies of .NET, not the shared runtime.
# mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled
FROM --platform=linux/amd64 mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled@sha256:18d4848091a40d13dbfdd6a8340c1657dc3e2f2d7fa2f042e9d162e68669dbc9 AS runtime
WORKDIR /app
COPY --from=build /app ./

# The app binds to $PORT itself (Cloud Run sets it). Clear the base image's
# default HTTP port so there is a single source for the listen address;
# ASPNETCORE_URLS is deliberately not set.
ENV ASPNETCORE_HTTP_PORTS=

# Explicit, even though the chiseled image already defaults to this user.
USER $APP_UID

# The executable is the entrypoint and "serve" only the default command, so `docker run IMAGE` serves and
# `docker run IMAGE list --bucket B` (or verify, show, get) runs that command instead.
ENTRYPOINT ["./ReverseShellFunction"]
CMD ["serve"]
