# One image, two roles: `silo` (default: silo + API + dashboard) or `gateway` (the API as an Orleans client).
# Builds with BuildKit and with the legacy builder alike, so it uses no BuildKit-only syntax (no `# syntax=` line,
# no COPY --chmod/--link, no RUN --mount, no heredocs):
#   docker build -t ordergrains .                      # or: DOCKER_BUILDKIT=0 docker build -t ordergrains .
#   docker run -p 8080:8080 ordergrains                # silo, profile from ASPNETCORE_ENVIRONMENT
#   docker run -p 8080:8080 ordergrains gateway        # a gateway (needs a clustered profile, see README)

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so source edits keep the package layer cached.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/OrderGrains.Domain/OrderGrains.Domain.csproj src/OrderGrains.Domain/
COPY src/OrderGrains.Contracts/OrderGrains.Contracts.csproj src/OrderGrains.Contracts/
COPY src/OrderGrains.Grains/OrderGrains.Grains.csproj src/OrderGrains.Grains/
COPY src/OrderGrains.Api/OrderGrains.Api.csproj src/OrderGrains.Api/
COPY src/OrderGrains.Silo/OrderGrains.Silo.csproj src/OrderGrains.Silo/
COPY src/OrderGrains.Gateway/OrderGrains.Gateway.csproj src/OrderGrains.Gateway/
RUN dotnet restore src/OrderGrains.Silo/OrderGrains.Silo.csproj \
 && dotnet restore src/OrderGrains.Gateway/OrderGrains.Gateway.csproj
COPY src/ src/
COPY silo-config/ silo-config/
RUN dotnet publish src/OrderGrains.Silo/OrderGrains.Silo.csproj -c Release --no-restore -o /out/silo \
 && dotnet publish src/OrderGrains.Gateway/OrderGrains.Gateway.csproj -c Release --no-restore -o /out/gateway

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /out/silo /app/silo
COPY --from=build /out/gateway /app/gateway
COPY docker-entrypoint.sh /app/docker-entrypoint.sh
# Set the mode explicitly (not from the checkout) and as root, before USER.
RUN chmod 0755 /app/docker-entrypoint.sh
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_gcServer=0
# 8080 HTTP, 11111 silo-to-silo, 30000 client gateway
EXPOSE 8080 11111 30000
# The aspnet image ships an unprivileged 'app' user (APP_UID).
USER $APP_UID
ENTRYPOINT ["/app/docker-entrypoint.sh"]
CMD ["silo"]
