"""The audit log: every decision the Centre makes, and every security-relevant event."""

from lms.audit.service import history, record

__all__ = ["history", "record"]
