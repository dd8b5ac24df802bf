"""The outbox: write messages in the request's transaction; the worker sends them after commit."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select, update

from lms.clock import utcnow
from lms.extensions import db
from lms.jobs import periodic
from lms.mail.models import OutboxMessage

log = logging.getLogger("lms.mail")
MAX_ATTEMPTS = 8


def queue_email(to: str, template: str, locale: str, **context: Any) -> OutboxMessage:
    """Render ``templates/emails/<template>.txt`` in ``locale`` and queue it.

    The subject is the first line of the text template, after ``Subject:``. Links in a template come from
    ``external_url`` (the public address), so this works the same in a request, the worker or a command.
    """
    with force_locale(locale):
        text = render_template(f"emails/{template}.txt", **context)
    first, _, body = text.partition("\n")
    subject = first.removeprefix("Subject:").strip()
    message = OutboxMessage(to_address=to, subject=subject, body_text=body.strip() + "\n", locale=locale)
    db.session.add(message)
    return message


def smtp_configured() -> bool:
    return bool(current_app.config["LMS_SMTP_HOST"])


def _send(message: OutboxMessage) -> None:
    cfg = current_app.config
    email = EmailMessage()
    email["From"] = cfg["LMS_MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email.set_content(message.body_text)
    with smtplib.SMTP(cfg["LMS_SMTP_HOST"], cfg["LMS_SMTP_PORT"], timeout=20) as smtp:
        if cfg["LMS_SMTP_STARTTLS"]:
            smtp.starttls()
        if cfg["LMS_SMTP_USER"]:
            smtp.login(cfg["LMS_SMTP_USER"], cfg["LMS_SMTP_PASSWORD"])
        smtp.send_message(email)


@periodic("send_outbox", seconds=5)
def send_outbox(limit: int = 50) -> int:
    """Send pending messages when SMTP is configured; without it they stay readable in the outbox."""
    if not smtp_configured():
        return 0
    # A worker that died while sending leaves a message claimed: offer it again after a while.
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.claimed_at < utcnow() - timedelta(minutes=10))
        .values(status="pending", claimed_at=None)
    )
    db.session.commit()
    sent = 0
    ids = db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.status == "pending").order_by(OutboxMessage.id).limit(limit)
    ).all()
    for message_id in ids:
        claimed = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == "pending")
            .values(status="sending", claimed_at=utcnow(), attempts=OutboxMessage.attempts + 1)
        ).rowcount
        db.session.commit()
        if claimed != 1:
            continue
        message = db.session.get(OutboxMessage, message_id, populate_existing=True)
        try:
            _send(message)
        except (OSError, smtplib.SMTPException) as exc:
            message.status = "failed" if message.attempts >= MAX_ATTEMPTS else "pending"
            message.last_error = str(exc)[:2000]
            log.warning("sending message %s failed: %s", message_id, exc)
        else:
            message.status = "sent"
            message.sent_at = utcnow()
            sent += 1
        db.session.commit()
    return sent
