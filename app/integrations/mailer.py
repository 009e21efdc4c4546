"""E-mail over SMTP (aiosmtplib) for the content-free staff notifications (CASE-2).

An outcome carries a short error that names the failure's kind and SMTP code, never an address or a server
reply's text (a refused recipient's reply quotes the address)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    timeout: float = 10.0


@dataclass(frozen=True)
class SendOutcome:
    error: str | None
    duration_ms: int

    @property
    def sent(self) -> bool:
        return self.error is None


def _domain(address: str) -> str:
    """The sender's domain: our name in EHLO and in Message-IDs, instead of the machine's (which
    aiosmtplib and make_msgid would look up and announce)."""
    return address.rpartition("@")[2].strip(" >") or "withu.invalid"


def compose(*, sender: str, to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message, UTF-8 (the body is Korean and English). Marked automatic so nobody's out-of-office
    answers it."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return message


async def send(config: SmtpConfig, message: EmailMessage) -> SendOutcome:
    """Send one message. Anything but acceptance by the server (refused connection, timeout, a 4xx or 5xx) is a
    failed attempt; `config.timeout` bounds the whole exchange."""
    started = time.monotonic()
    error: str | None = None
    try:
        async with asyncio.timeout(config.timeout):
            await aiosmtplib.send(
                message,
                hostname=config.host,
                port=config.port,
                username=config.username,
                password=config.password,
                start_tls=config.starttls,
                timeout=config.timeout,
                local_hostname=_domain(config.sender),
            )
    except (TimeoutError, aiosmtplib.SMTPTimeoutError):
        error = "timeout"
    except aiosmtplib.SMTPResponseException as exc:
        error = f"SMTP {exc.code}"
    except aiosmtplib.SMTPRecipientsRefused as exc:
        codes = sorted({str(r.code) for r in exc.recipients})
        error = f"SMTP {','.join(codes)} (recipient refused)"
    except (aiosmtplib.SMTPException, OSError) as exc:
        # Only the type: the text may carry the host or an address.
        error = f"send failed ({type(exc).__name__})"
    return SendOutcome(error, int((time.monotonic() - started) * 1000))
