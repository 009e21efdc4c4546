# WithU API image: python:3.11-slim, the project installed from this directory, run as a non-root user.
# Build context: the repository root (see .dockerignore: no virtualenv, local data, test output, git or secrets).
FROM python:3.11-slim

# Production, said explicitly (it is also the default without WITHU_ENVIRONMENT): placeholder secrets, demo data
# and the /docs page are refused.
ENV WITHU_ENVIRONMENT=production \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A fixed UID, so the operator can give it read access to ./secrets/master.key on the host (compose bind-mounts
# file secrets with the host file's owner and mode).
RUN groupadd --system --gid 10001 withu \
    && useradd --system --uid 10001 --gid withu --home-dir /app --no-create-home --shell /usr/sbin/nologin withu

WORKDIR /app
# app/, migrations/, alembic.ini, pyproject.toml and pwa/ (when it exists): the whole filtered context.
COPY . .
# Editable, so the code stays in /app: `withu migrate` finds alembic.ini and migrations/ next to app/
# (app/cli.py looks for them there), and the PWA is served from /app/pwa (WITHU_PWA_DIR defaults to ./pwa).
# The files stay owned by root: the service user can read them but not change them.
RUN pip install -e . \
    && python -c "import app.cli, app.main"

# pg_dump/pg_restore for `withu backup` and `withu restore` (bookworm's client: PostgreSQL 15, as the compose db).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
# The evidence store (reliability review, finding 2): a folder the service's user owns, outside the read-only code.
# docker-compose.yml mounts the named volume `evidence` here; a new named volume takes this folder's owner and mode.
ENV WITHU_EVIDENCE_DIR=/var/lib/withu/evidence
RUN mkdir -p /var/lib/withu/evidence \
    && chown -R withu:withu /var/lib/withu \
    && chmod 700 /var/lib/withu/evidence

USER withu
EXPOSE 8000
# X-Forwarded-For counts only from the addresses in WITHU_TRUSTED_PROXIES (none by default): docs/deployment.md.
CMD ["sh", "-c", "withu migrate && exec withu serve --host 0.0.0.0 --port 8000 --workers 4"]
