"""The `withu` command: serve, migrate, worker, user create, client create, audit verify, backup, restore, demo seed."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from app.db import encryption
from app.db.engine import engine_for, make_sessionmaker
from app.db.key_check import WrongMasterKey, verify_master_key
from app.db.uow import UnitOfWork
from app.domain.enums import ClientKind, Role, Team
from app.domain.errors import DomainError
from app.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


class CommandError(Exception):
    """A command used wrongly: said in one line on standard error, exit status 2, no traceback."""


def migrate(settings: Settings, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = settings.database_url
    # Read only by a revision that moves existing rows under the key (0015), and only when there are such rows.
    config.attributes["master_key"] = settings.load_master_key
    command.upgrade(config, revision)


def run_in_uow(settings: Settings, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """Run one use case in its own unit of work and commit it (the CLI's equivalent of a request)."""

    async def main() -> T:
        encryption.configure(settings.load_master_key())
        engine = engine_for(settings)
        try:
            await verify_master_key(engine)  # ACC-2: never write under another key than the data's
            async with UnitOfWork(make_sessionmaker(engine), settings) as uow:
                result = await work(uow)
                await uow.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(main())


def cmd_serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from app.api.http_protocol import PROTOCOL
    from app.main import configure_logging

    configure_logging()
    check_master_key(settings)  # refused here with one line, before any worker process starts
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,  # uvicorn's access log carries client addresses (INT-1); ours does not
        server_header=False,
        # The app reads X-Forwarded-For itself, from WITHU_TRUSTED_PROXIES only (app/api/ratelimit.py): uvicorn
        # must not rewrite the peer's address first.
        proxy_headers=False,
        # Bounded request heads and read timeouts (reliability review, finding 7; app/api/http_protocol.py).
        http=PROTOCOL,
        timeout_keep_alive=settings.http_keep_alive_seconds,
    )


def cmd_user_create(args: argparse.Namespace, settings: Settings) -> None:
    """On the server: a ready account, with no approval (the way the first division head comes to be). With
    --enrolment-link its owner sets password and TOTP through a one-time link; otherwise the password is asked
    (15 characters at least, not a common or breached one) and the TOTP secret printed once."""
    import segno

    from app.services.admin import create_user, create_user_with_link
    from app.services.enrolment import totp_uri

    team = Team(args.team) if args.team else None
    fields = {
        "email": args.email,
        "display_name": args.name,
        "role": Role(args.role),
        "team": team,
        "employee_number": args.employee_number,
    }
    if args.enrolment_link:
        user, link = run_in_uow(settings, lambda uow: create_user_with_link(uow, **fields))
        print(f"Created {user.role} {user.email} (id {user.id}).")
        print(f"Enrolment link (one use, until {link.expires_at:%Y-%m-%d %H:%M} UTC; give it to its owner only):")
        print(f"  <this server's address>{link.enrolment_url}")
        return
    password = _password(args)
    user, secret = run_in_uow(settings, lambda uow: create_user(uow, password=password, **fields))
    uri = totp_uri(secret, user.email)
    print(f"Created {user.role} {user.email} (id {user.id}).")
    print("Add the account to an authenticator app now (it is not shown again):")
    print(f"  TOTP secret: {secret}")
    print(f"  otpauth URI: {uri}")
    if sys.stdout.isatty():
        segno.make(uri, error="m").terminal(compact=True)


def _password(args: argparse.Namespace) -> str:
    """The new account's password: --password-stdin reads the first line of standard input (for scripts: the
    password stays out of the shell history and the process list); otherwise asked at the terminal."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("--password-stdin: standard input held no password.")
        return password
    if args.password:
        return args.password
    if not sys.stdin.isatty():
        raise CommandError("No terminal to ask the password at: pass --password-stdin (or --enrolment-link).")
    return getpass.getpass("Password (15 characters at least; a few words work well): ")


def cmd_client_create(args: argparse.Namespace, settings: Settings) -> None:
    from app.services.auth import create_client

    scopes = [s for s in (args.scopes or "").replace(",", " ").split() if s]
    client, secret = run_in_uow(settings, lambda uow: create_client(uow, args.name, ClientKind(args.kind), scopes))
    print(f"client_id:     {client.client_id}")
    print(f"client_secret: {secret}   (shown once; keep it in the integrator's secret store)")
    print(f"scopes:        {' '.join(client.scopes)}")


def cmd_audit_verify(args: argparse.Namespace, settings: Settings) -> None:
    from app.domain.audit_chain import MAIN_CHAIN
    from app.services.audit import verify

    anchor, reporter_anchor = _anchor(args.anchor, "--anchor"), _anchor(args.reporter_anchor, "--reporter-anchor")
    report = run_in_uow(settings, lambda uow: verify(uow, anchor, reporter_anchor))
    broken = report.broken
    if broken is None:
        reporter = report.reporter
        print(
            f"audit chain intact: {report.entries} entries verified"
            + (f" ({reporter.entries} of them in the reporter chain)" if reporter.entries else "")
        )
        if reporter.head:
            print(
                "reporter chain head (record it too; pass it as --reporter-anchor next time): "
                f"{reporter.head[0]}:{reporter.head[1]}"
            )
        if report.main.head:
            print(
                "head (record it outside the database; pass it as --anchor next time): "
                f"{report.main.head[0]}:{report.main.head[1]}"
            )
        return
    assert broken.broken is not None
    where = "entry" if broken.chain == MAIN_CHAIN else f"{broken.chain} chain entry"
    print(f"audit chain BROKEN at {where} {broken.broken.seq}: {broken.broken.reason}", file=sys.stderr)
    sys.exit(1)


def _anchor(value: str | None, option: str) -> tuple[int, str] | None:
    """SEQ:HASH as a previous verification printed it, or None."""
    if not value:
        return None
    seq, _, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        print(f"error: {option} takes SEQ:HASH as printed by a previous verification", file=sys.stderr)
        sys.exit(2)
    return int(seq), digest


def cmd_demo_seed(args: argparse.Namespace, settings: Settings) -> None:
    from app.services.demo import seed_demo

    for line in run_in_uow(settings, seed_demo):
        print(line)


def cmd_demo_totp(args: argparse.Namespace, settings: Settings) -> None:
    from app.services.demo import current_totp, seconds_until_totp_accepted

    # A code works once: after two sign-ins within a step, wait for one sign-in will accept (issue 14).
    time.sleep(run_in_uow(settings, lambda uow: seconds_until_totp_accepted(uow, args.email)))
    print(run_in_uow(settings, lambda uow: current_totp(uow, args.email)))


def cmd_worker(args: argparse.Namespace, settings: Settings) -> None:
    from app.main import configure_logging
    from app.worker import run_forever, run_once

    configure_logging()
    if args.once:
        summary = asyncio.run(run_once(settings, concurrency=args.concurrency))
        print(f"claimed {summary.claimed}, delivered {summary.delivered}, failed {summary.failed}")
        return
    asyncio.run(run_forever(settings, concurrency=args.concurrency))


def _concurrency(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 100:
        raise argparse.ArgumentTypeError("a whole number from 1 to 100")
    return int(value)


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> None:
    migrate(settings, args.revision)
    if args.revision == "head":
        check_master_key(settings)  # a new database stores the key's check value now
    print(f"database migrated to {args.revision}")
    if args.revision == "head":
        move_to_case_keys(settings, args.batch_size)
    if args.drop_pending:
        from app.services import key_migration

        dropped = run_in_uow(settings, key_migration.drop_pending)
        print(f"dropped {dropped} copies of moved cases' keys kept under the master key")


def move_to_case_keys(settings: Settings, batch_size: int) -> None:
    """Issue 18: the content of cases from before per-case keys, moved to their own keys in batches (each batch
    committed on its own: interrupted, the next run goes on where this one stopped)."""
    from app.services import key_migration

    async def step(uow: UnitOfWork) -> tuple[int, int, int]:
        batch = await key_migration.migrate_batch(uow, batch_size)
        await uow.commit()
        key_migration.remove_old_files(uow, batch.old_files)
        return batch.cases, batch.values, batch.files

    moved = [0, 0, 0]
    while True:
        cases, values, files = run_in_uow(settings, step)
        if cases == 0:
            break
        moved = [moved[0] + cases, moved[1] + values, moved[2] + files]
        print(f"moved {moved[0]} cases to their own keys ({moved[1]} values, {moved[2]} evidence files) so far")
    if moved[0]:
        print(f"every case is under its own key ({moved[0]} moved now)")


def cmd_backup(args: argparse.Namespace, settings: Settings) -> None:
    from app.services.backup import BackupError, backup

    try:
        done = backup(settings, Path(args.dest))
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    print(
        f"backup of the {done.engine} database ({done.database_bytes} bytes) and {done.evidence_files} evidence "
        f"files ({done.evidence_bytes} bytes) in {args.dest}; the master key is not in it: keep it apart"
    )


def cmd_restore(args: argparse.Namespace, settings: Settings) -> None:
    from app.services.backup import BackupError, restore

    try:
        done = restore(settings, Path(args.src), force=args.force)
    except BackupError as exc:
        raise CommandError(str(exc)) from None
    print(
        f"restored the {done.engine} database and {done.evidence_files} evidence files from {args.src}; "
        "next: `withu migrate`, then `withu audit verify`"
    )


def cmd_recovery_init(args: argparse.Namespace, settings: Settings) -> None:
    """Issue 18, point 5 (ACC-2): a new recovery key; each holder's share printed once (and, with --qr-dir, drawn
    as a QR code, one SVG file per holder, readable by its owner only)."""
    from app.db.recovery_shares import share_qr_svg
    from app.services.recovery import create_key

    holders, threshold = args.holder, args.threshold
    qr_dir = Path(args.qr_dir) if args.qr_dir else None
    if qr_dir is not None and qr_dir.exists() and (not qr_dir.is_dir() or any(qr_dir.iterdir())):
        raise CommandError(f"--qr-dir {qr_dir} must be a new or empty folder.")  # checked before the key exists
    made = run_in_uow(settings, lambda uow: create_key(uow, holders, threshold, replace=args.replace))
    for old in made.retired:
        print(
            f"Retired recovery key {old} (cases keep its wraps; `withu recovery grant --key {old}` still opens them)."
        )
    print(f"Created recovery key {made.key_id}: any {made.threshold} of its {len(made.shares)} shares give it back.")
    print("Each share is shown ONCE and stored nowhere: each holder copies theirs now (paper, not a file).")
    for index, (holder, share) in enumerate(made.shares, start=1):
        where = ""
        if qr_dir is not None:
            qr_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = qr_dir / f"recovery-{made.key_id}-share-{index}.svg"
            _write_private(path, share_qr_svg(share))
            where = f"   (QR code: {path})"
        print(f"\n  Share {index} for {holder}:{where}")
        print(f"    {share}")
    print(
        "\nExisting cases get their wrap for this key the next time one of their readers opens them "
        "(`withu recovery status` counts them); new cases get it at once."
    )


def _write_private(path: Path, text: str) -> None:
    """A new file only its owner reads (0600); an existing one is never overwritten."""
    import os

    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CommandError(f"{path} exists already: choose an empty --qr-dir.") from None
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)


def cmd_recovery_grant(args: argparse.Namespace, settings: Settings) -> None:
    """Issue 18, point 5 (ACC-1, ACC-2): with enough shares (one a line on standard input, or asked at the terminal
    without echo), each case's key is wrapped for the account --to, where it reads the case under ACC-1 now."""
    from app.services.recovery import grant

    shares = _shares()
    outcomes = run_in_uow(settings, lambda uow: grant(uow, shares, args.case, args.to, args.key))
    for outcome in outcomes:
        print(outcome.message, file=sys.stdout if outcome.restored else sys.stderr)
    if not all(outcome.restored for outcome in outcomes):
        sys.exit(1)


def _shares() -> list[str]:
    """The shares, one a line (never echoed, never logged); at a terminal asked one by one until an empty line."""
    if not sys.stdin.isatty():
        return [line.strip() for line in sys.stdin if line.strip()]
    shares = []
    while True:
        share = getpass.getpass(f"Share {len(shares) + 1} (an empty line when done): ").strip()
        if not share:
            return shares
        shares.append(share)


def cmd_recovery_status(args: argparse.Namespace, settings: Settings) -> None:
    from app.services.recovery import status

    state = run_in_uow(settings, status)
    key = state.key
    if key is None:
        print("no active recovery key: create one with `withu recovery init`")
    else:
        print(f"recovery key {key.id}: {key.threshold} of {len(key.holders)} shares, created {key.created_on:%Y-%m-%d}")
        print(f"holders: {', '.join(key.holders)}")
    wrapped = f", {state.cases_wrapped} of them wrapped for it" if key is not None else ""
    print(f"cases with their own key: {state.cases_with_key}{wrapped}")


def check_master_key(settings: Settings) -> None:
    """ACC-2: stop (WrongMasterKey, exit 2) unless the configured master key is the database's (finding 5)."""
    from app.services.backup import verify_key

    asyncio.run(verify_key(settings))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="withu", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the API and the PWA")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=cmd_serve)

    mig = sub.add_parser("migrate", help="apply database migrations")
    mig.add_argument("revision", nargs="?", default="head")
    mig.add_argument(
        "--batch-size", type=int, default=50, help="cases moved to their own keys per transaction (issue 18)"
    )
    mig.add_argument(
        "--drop-pending",
        action="store_true",
        help="after moving: drop the copies of moved cases' keys kept under the master key for readers and reporters "
        "who have not come back yet (issue 18; docs/security.md)",
    )
    mig.set_defaults(run=cmd_migrate)

    user = sub.add_parser("user", help="staff accounts").add_subparsers(dest="user_command", required=True)
    uc = user.add_parser(
        "create",
        help="create a ready staff account on the server, no approval needed (prints its TOTP secret once)",
    )
    uc.add_argument("--email", required=True)
    uc.add_argument("--name", required=True)
    uc.add_argument("--role", required=True, choices=[r.value for r in Role])
    uc.add_argument("--team", choices=[t.value for t in Team])
    uc.add_argument("--employee-number")
    secret = uc.add_mutually_exclusive_group()
    secret.add_argument("--password", help="the password on the command line (visible in the shell history)")
    secret.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of standard input"
    )
    uc.add_argument(
        "--enrolment-link",
        action="store_true",
        help="print a one-time link where the owner sets password and TOTP, instead of asking a password",
    )
    uc.epilog = "Without --password, --password-stdin or --enrolment-link the password is asked at the terminal."
    uc.set_defaults(run=cmd_user_create)

    client = sub.add_parser("client", help="machine clients").add_subparsers(dest="client_command", required=True)
    cc = client.add_parser("create", help="create an OAuth2 client (prints its secret once)")
    cc.add_argument("--name", required=True)
    cc.add_argument("--kind", required=True, choices=[k.value for k in ClientKind])
    cc.add_argument("--scopes", help="space- or comma-separated; default: all of the kind's scopes")
    cc.set_defaults(run=cmd_client_create)

    audit = sub.add_parser("audit", help="the audit log").add_subparsers(dest="audit_command", required=True)
    av = audit.add_parser("verify", help="verify the hash chain (exit 1 if broken)")
    av.add_argument("--anchor", help="SEQ:HASH of a head recorded earlier: detects a log cut short")
    av.add_argument("--reporter-anchor", help="SEQ:HASH of the reporter chain's head recorded earlier (INT-1)")
    av.set_defaults(run=cmd_audit_verify)

    worker = sub.add_parser("worker", help="deliver webhooks from the outbox (run any number side by side)")
    worker.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    worker.add_argument("--concurrency", type=_concurrency, default=8, help="deliveries in flight at once (default 8)")
    worker.set_defaults(run=cmd_worker)

    bk = sub.add_parser(
        "backup", help="back up the database and the evidence store into a new folder (never the master key)"
    )
    bk.add_argument("dest", metavar="DEST_DIR", help="a new or empty folder")
    bk.set_defaults(run=cmd_backup)
    rs = sub.add_parser("restore", help="restore a `withu backup` folder into an empty database and evidence store")
    rs.add_argument("src", metavar="SRC_DIR")
    rs.add_argument("--force", action="store_true", help="restore over a database or evidence store that holds data")
    rs.set_defaults(run=cmd_restore)

    rec = sub.add_parser("recovery", help="the split recovery key (issue 18)").add_subparsers(
        dest="recovery_command", required=True
    )
    ri = rec.add_parser("init", help="create the recovery key; prints each holder's share once")
    ri.add_argument("--holder", action="append", required=True, help="a share holder's name (once per holder)")
    ri.add_argument("--threshold", type=int, required=True, help="how many shares give the key back")
    ri.add_argument("--qr-dir", help="also write each share as a QR code (SVG, mode 0600) into this folder")
    ri.add_argument("--replace", action="store_true", help="retire the active recovery key and create a new one")
    ri.set_defaults(run=cmd_recovery_init)
    rg = rec.add_parser("grant", help="with enough shares (standard input), give an account back its cases' keys")
    rg.add_argument("--case", action="append", required=True, help="a case reference (once per case)")
    rg.add_argument("--to", required=True, help="the e-mail of an account that reads the cases (ACC-1)")
    rg.add_argument("--key", help="the recovery key's id, for a retired key (default: the active key)")
    rg.set_defaults(run=cmd_recovery_grant)
    rec.add_parser("status", help="the active recovery key and the cases wrapped for it").set_defaults(
        run=cmd_recovery_status
    )

    demo = sub.add_parser("demo", help="development only").add_subparsers(dest="demo_command", required=True)
    demo.add_parser("seed", help="create demo staff and print their logins").set_defaults(run=cmd_demo_seed)
    totp = demo.add_parser("totp", help="print a demo user's current TOTP code")
    totp.add_argument("email")
    totp.set_defaults(run=cmd_demo_totp)
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:  # a settings problem is the operator's to fix: say which, without a traceback
        for error in exc.errors():
            setting = f"WITHU_{str(error['loc'][0]).upper()}: " if error["loc"] else ""
            print(f"configuration error: {setting}{error['msg']}", file=sys.stderr)
        sys.exit(2)
    try:
        args.run(args, settings)
    except DomainError as exc:
        print(f"error: {exc.detail or exc.title}", file=sys.stderr)
        sys.exit(2)
    except (CommandError, WrongMasterKey) as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
