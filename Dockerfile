# facegate node image: non-root, data and keys on a volume, healthcheck on /healthz.
# Build: docker build -t facegate . (see docs/deploy.md; images are not built in this repository's CI).
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/facegate/venv \
 && /opt/facegate/venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim-bookworm
# WeasyPrint (PIA, signs, dossier) needs Pango and a font with Chinese glyphs; onnxruntime needs libgomp.
# Debian package versions are not pinned: the base image's security updates must flow in (.hadolint.yaml).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
      fonts-noto-cjk libgomp1 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 facegate \
 && useradd --system --uid 10001 --gid facegate --home-dir /var/lib/facegate --shell /usr/sbin/nologin facegate \
 && mkdir -p /var/lib/facegate \
 && chown facegate:facegate /var/lib/facegate \
 && chmod 0700 /var/lib/facegate
COPY --from=build /opt/facegate/venv /opt/facegate/venv
COPY examples /opt/facegate/examples
ENV PATH=/opt/facegate/venv/bin:$PATH \
    FACEGATE_ENV=prod \
    FACEGATE_DATA_DIR=/var/lib/facegate \
    FACEGATE_EXAMPLES_DIR=/opt/facegate/examples \
    FACEGATE_HOST=0.0.0.0 \
    FACEGATE_PORT=8000
# The SQLite store, the key files (keys/, 0600) and the model cache: one volume, never in the image.
VOLUME ["/var/lib/facegate"]
WORKDIR /var/lib/facegate
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# One node, configured by FACEGATE_* variables; it runs the retention purge too (M-8.5). uvicorn believes
# no X-Forwarded-For; the app does, from FACEGATE_TRUSTED_PROXIES only (docs/security.md). The C HTTP parser and
# the libuv loop are named: uvicorn's "auto" would fall back to pure Python without a word (issue 14).
CMD ["uvicorn", "--factory", "facegate.web.asgi:app_from_env", "--host", "0.0.0.0", "--port", "8000", \
     "--no-proxy-headers", "--no-server-header", "--http", "httptools", "--loop", "uvloop"]
