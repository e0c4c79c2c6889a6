"""The services of a running bot as its edges see them; the assembly's container is one.

The edges (``handlers/``) type what they are handed with :class:`Services`, never with the
container of :mod:`bot.app.container` that builds it: an edge calls services and reads the
few settings below, and knows nothing of how they are wired or of the database under them.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.ports import Identities
from bot.core.repositories import OutboxSummary
from bot.i18n import Catalog
from bot.services.admission import Admission
from bot.services.attendance import AttendanceService
from bot.services.booking import BookingService
from bot.services.broadcast_composer import BroadcastComposer
from bot.services.broadcasts import BroadcastService
from bot.services.certificates import CertificateService
from bot.services.dialogs import DialogService
from bot.services.exports import ExportService
from bot.services.feedback import FeedbackService
from bot.services.files import FileService
from bot.services.invites import InviteService
from bot.services.outcome_stats import OutcomeStatsService
from bot.services.outcomes import OutcomeService
from bot.services.practice import PracticeService
from bot.services.profile import ProfileService
from bot.services.questions import QuestionDesk
from bot.services.session_editor import NewSessionEditor, SessionEditor
from bot.services.sessions import SessionService
from bot.services.signup import SignupService
from bot.services.staff_faq import StaffFaq
from bot.services.stats import StatsService
from bot.services.tips import TipsService
from bot.services.unprompted import UnpromptedInput
from bot.services.users import UserService


class BusinessNumber(Protocol):
    """The WhatsApp number owners chat with, when WhatsApp is set up."""

    @property
    def display_number(self) -> str | None:
        """Its digits, for wa.me links; None if the deployment did not give it."""
        ...


class EdgeSettings(Protocol):
    """The settings an edge reads."""

    @property
    def timezone(self) -> ZoneInfo:
        """Where the programme runs: every time shown to people is in it."""
        ...

    @property
    def whatsapp(self) -> BusinessNumber | None:
        """The WhatsApp number, for links and QR codes; None without WhatsApp."""
        ...


@runtime_checkable
class Services(Protocol):
    """Everything a handler may call, wired to one database by the assembly."""

    catalog: Catalog
    users: UserService
    dialogs: DialogService
    signup: SignupService
    files: FileService
    profile: ProfileService
    sessions: SessionService
    booking: BookingService
    invites: InviteService
    stats: StatsService
    broadcasts: BroadcastService
    broadcast_composer: BroadcastComposer
    attendance: AttendanceService
    tips: TipsService
    admission: Admission
    new_session: NewSessionEditor
    session_editor: SessionEditor
    feedback: FeedbackService
    questions: QuestionDesk
    staff_faq: StaffFaq
    practice: PracticeService
    certificates: CertificateService
    outcomes: OutcomeService
    outcome_stats: OutcomeStatsService
    unprompted: UnpromptedInput

    @property
    def now(self) -> Clock:
        """The bot's clock."""
        ...

    @property
    def outbox(self) -> OutboxSummary:
        """What the outbox holds, for the delivery report."""
        ...

    @property
    def settings(self) -> EdgeSettings:
        """The settings an edge reads."""
        ...

    @property
    def identities(self) -> Identities:
        """The one map of each channel's ids to people, made in the assembly."""
        ...

    def export_service(self) -> ExportService:
        """The staff export, in the bot's time zone."""
        ...
