"""The certificate as a notice (the PDF as a document) and the texts of ``cek <kode>``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.certificates import Certificate
from bot.core.models import OutboxMessage
from bot.core.notices import Attachment, Notice
from bot.formatting import format_datetime, format_day
from bot.i18n import Catalog
from bot.services.certificate_pdf import CertificateText, render
from bot.services.certificates import KIND, CertificateStore, Verification
from bot.services.delivery import Builders


def certificate_text(
    catalog: Catalog, language: str, tz: ZoneInfo, cert: Certificate
) -> CertificateText:
    """Every line of the paper, in ``language`` (plain text: the PDF is no markup)."""

    def t(key: str, **params: object) -> str:
        return catalog.raw(language, f"certificate.pdf.{key}").format(**params)

    trainer = cert.trainer_name or t("no_trainer")
    return CertificateText(
        heading=t("heading"),
        subheading=t("subheading"),
        given_to=t("given_to"),
        owner=cert.owner_name or "-",
        business=cert.business_name or "",
        completed=t("completed"),
        session=cert.session_title,
        when=format_day(cert.session_date, tz, language),
        trainer=t("trainer", name=trainer),
        programme=t("programme"),
        organiser=t("organiser"),
        code_label=t("code", code=cert.code),
        check_hint=t("check", code=cert.code),
        qr_payload=cert.code,
    )


def pdf_of(catalog: Catalog, language: str, tz: ZoneInfo, cert: Certificate) -> bytes:
    """The certificate's PDF."""
    return render(certificate_text(catalog, language, tz, cert))


def verification_text(catalog: Catalog, language: str, tz: ZoneInfo, found: Verification) -> str:
    """ "Valid: who, which session, when", or "revoked", or "not a certificate of ours"."""
    cert = found.certificate
    if cert is None:
        return catalog.text(language, "certificate.check.unknown", code=found.code)
    if not cert.valid:
        assert cert.revoked_at is not None
        return catalog.text(
            language,
            f"certificate.check.revoked_{cert.revoked_reason or 'staff'}",
            code=cert.code,
            title=cert.session_title,
            at=format_datetime(cert.revoked_at, tz, language),
        )
    return catalog.text(
        language,
        "certificate.check.valid",
        code=cert.code,
        name=cert.owner_name or "-",
        business=cert.business_name or "-",
        title=cert.session_title,
        day=format_day(cert.session_date, tz, language),
        trainer=cert.trainer_name or "-",
        issued=format_datetime(cert.issued_at, tz, language),
    )


@dataclass(frozen=True)
class CertificateNotices:
    """The builder of the certificate notice."""

    catalog: Catalog
    tz: ZoneInfo
    store: CertificateStore

    def register(self, builders: Builders) -> None:
        """Add the certificate kind."""
        builders.add(KIND, self.certificate)

    async def certificate(self, message: OutboxMessage, lang: str, now: datetime) -> Notice | None:
        """The PDF as a document, with a short congratulation (None once revoked)."""
        cert = await self.store.get(str(message.params["code"]))
        if cert is None or not cert.valid:
            return None
        pdf = pdf_of(self.catalog, lang, self.tz, cert)
        text = self.catalog.text(
            lang, "certificate.sent", title=cert.session_title, code=cert.code
        )
        attachment = Attachment(
            "document", f"sertifikat-{cert.code}.pdf", content=pdf, mime_type="application/pdf"
        )
        return Notice(text, attachment=attachment, kind=message.kind)
