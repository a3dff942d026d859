# The service's image: one image for every process role (scripts/process.sh web|worker|scheduler|migrate).
# Not built on the development machines (no container engine there): tests/operations/test_containers.py checks
# that it and compose.yaml start the same entry points the tests and the load test run.

# 1. The NHS.UK front-end assets, built with the project's pinned npm packages.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY assets/scss assets/scss
COPY assets/js assets/js
COPY scripts/build-assets.mjs scripts/build-assets.mjs
RUN npm run build

# 2. The Python environment, exactly as locked (no development tools).
FROM python:3.12-slim-bookworm AS python
ENV UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project

# 3. What runs: the code, the environment and the built assets, as an unprivileged user.
FROM python:3.12-slim-bookworm
RUN groupadd --system --gid 10001 respond && useradd --system --uid 10001 --gid respond --home-dir /app respond
WORKDIR /app
COPY --from=python /app/.venv /app/.venv
COPY manage.py pyproject.toml ./
COPY config config
COPY respond respond
COPY data data
COPY scripts/process.sh scripts/process.sh
COPY --from=assets /app/assets/build assets/build
ENV PATH=/app/.venv/bin:$PATH PYTHON=/app/.venv/bin/python APP_ENV=production BIND=0.0.0.0:8000 \
    PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
# collectstatic needs settings that load: throwaway values, used for nothing else.
RUN SECRET_KEY=collectstatic-only-collectstatic-only-collectstatic-only-0000 ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p var && chown -R respond:respond var
USER respond
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=4)" || exit 1
ENTRYPOINT ["scripts/process.sh"]
CMD ["web"]
