"""The long-lived objects of one running bot, created at start-up and closed at shutdown."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.app.settings import Settings
from bot.core.clock import Clock
from bot.i18n import Catalog
from bot.services.access import Access
from bot.services.admission import Admission
from bot.services.attendance import AttendanceService
from bot.services.booking import BookingService
from bot.services.broadcast_composer import BroadcastComposer
from bot.services.broadcasts import BroadcastService
from bot.services.certificates import CertificateService
from bot.services.delivery import DueTimes
from bot.services.dialogs import DialogService
from bot.services.exports import ExportService
from bot.services.faq_content import DEFAULT_FAQ_FILE
from bot.services.faq_search import FaqLibrary
from bot.services.feedback import FeedbackService
from bot.services.files import FileService
from bot.services.invites import InviteService
from bot.services.outcome_stats import OutcomeStatsService
from bot.services.outcomes import OutcomeService
from bot.services.practice import DeskHelp, PracticeService, SessionAnswerer
from bot.services.profile import ProfileService
from bot.services.questions import QuestionDesk
from bot.services.reminders import Reminders, parse_rules
from bot.services.session_editor import NewSessionEditor, SessionEditor
from bot.services.sessions import SessionService
from bot.services.signup import SignupService
from bot.services.staff_faq import StaffFaq
from bot.services.stats import StatsService
from bot.services.tasks_content import task_library
from bot.services.tips import TipsService
from bot.services.tips_content import library
from bot.services.unprompted import UnpromptedInput
from bot.services.users import UserService
from bot.services.working_hours import WorkingHours, working_hours
from storage.attendance import AttendanceRepository
from storage.broadcasts import BroadcastRepository
from storage.certificates import CertificateRepository
from storage.database import Database
from storage.dialogs import DialogRepository
from storage.files import FileRepository
from storage.identities import IdentityRepository
from storage.invites import InviteRepository
from storage.migrate import migrate
from storage.outbox import OutboxRepository
from storage.outcome_stats import OutcomeStatsRepository
from storage.outcomes import OutcomeRepository
from storage.owners import OwnerRepository
from storage.personal_data import PersonalDataRepository
from storage.practice import PracticeRepository
from storage.questions import QuestionRepository
from storage.reports import ReportRepository
from storage.sessions import SessionRepository
from storage.staff_faq import StaffFaqRepository
from storage.stats import StatsRepository
from storage.tips import TipsRepository
from storage.users import UserRepository
from storage.whatsapp_inbox import WhatsAppInboxRepository

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything a handler may call, wired to one database."""

    settings: Settings
    db: Database
    catalog: Catalog
    now: Clock
    users: UserService
    dialogs: DialogService
    signup: SignupService
    files: FileService
    profile: ProfileService
    sessions: SessionService
    booking: BookingService
    outbox: OutboxRepository
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
    due_times: DueTimes
    questions: QuestionDesk
    staff_faq: StaffFaq
    practice: PracticeService
    certificates: CertificateService
    outcomes: OutcomeService
    outcome_stats: OutcomeStatsService
    unprompted: UnpromptedInput
    identities: IdentityRepository

    @classmethod
    async def start(cls, settings: Settings, now: Clock) -> Services:
        """Open and migrate the database, bootstrap staff, and wire the services."""
        db = await Database.open(settings.database)
        try:
            applied = await migrate(db, now())
            if applied:
                logger.info("database upgraded by %d migration(s)", len(applied))
            identities = IdentityRepository(db)  # the one map of channel ids to people
            users = UserService(UserRepository(db), identities, now)
            await users.bootstrap_staff(settings.staff_ids)
        except BaseException:
            await db.close()
            raise
        return cls._wire(settings, db, now, users, identities)

    @classmethod
    def _wire(
        cls,
        settings: Settings,
        db: Database,
        now: Clock,
        users: UserService,
        identities: IdentityRepository,
    ) -> Services:
        """Build every service over the open database."""
        dialogs = DialogService(DialogRepository(db), now)
        due_times = DueTimes()
        owners, sessions = OwnerRepository(db, due_times.notify), SessionRepository(db)
        outbox = OutboxRepository(db, due_times.notify)
        booking, session_service, attendance = _programme(
            settings, db, now, sessions, owners, outbox
        )
        invites = InviteService(InviteRepository(db), now)
        access, tz = Access(UserRepository(db), sessions), settings.timezone
        tips = TipsService(db, TipsRepository(db), owners, outbox, library(), tz, now)
        catalog = Catalog.load()
        broadcasts = BroadcastService(
            db, BroadcastRepository(db), outbox, sessions, UserRepository(db), now
        )
        staff_faq = StaffFaq(
            StaffFaqRepository(db), QuestionRepository(db), UserRepository(db), catalog, now
        )
        questions = QuestionDesk(
            db,
            QuestionRepository(db),
            outbox,
            FaqLibrary(DEFAULT_FAQ_FILE, staff_faq),
            hours_of(settings),
            UserRepository(db),
            booking,
            sessions,
            tips,
            catalog,
            now,
            profiles=owners,
        )
        tasks = task_library()
        help_desk = DeskHelp(questions, SessionAnswerer(UserRepository(db)), tasks, catalog)
        practice = PracticeService(
            db,
            PracticeRepository(db),
            owners,
            outbox,
            tasks,
            help_desk,
            tz,
            now,
            dialogs,
            UserRepository(db),
            catalog,
        )
        attendance.follow(practice)
        certificates = CertificateService(
            db,
            CertificateRepository(db),
            PracticeRepository(db),
            owners,
            sessions,
            UserRepository(db),
            outbox,
            now,
        )
        practice.on_completed(certificates.completed)
        outcomes = OutcomeService(
            db, OutcomeRepository(db), outbox, dialogs, tz, now, desk=questions, catalog=catalog
        )
        attendance.follow(outcomes)
        return cls(
            settings=settings,
            db=db,
            catalog=catalog,
            now=now,
            users=users,
            dialogs=dialogs,
            signup=SignupService(dialogs, owners, now),
            files=FileService(FileRepository(db), now),
            profile=_profile(db, dialogs, owners, now, booking, outbox, identities),
            sessions=session_service,
            booking=booking,
            outbox=outbox,
            invites=invites,
            stats=StatsService(StatsRepository(db), UserRepository(db)),
            broadcasts=broadcasts,
            broadcast_composer=BroadcastComposer(
                dialogs, broadcasts, UserRepository(db), sessions, tz
            ),
            attendance=attendance,
            tips=tips,
            admission=Admission(db, outbox, now),
            new_session=NewSessionEditor(
                dialogs, access, users, session_service, invites, tz, now
            ),
            session_editor=SessionEditor(dialogs, access, users, session_service, tz, now),
            feedback=FeedbackService(dialogs, attendance, catalog),
            due_times=due_times,
            practice=practice,
            certificates=certificates,
            outcomes=outcomes,
            outcome_stats=OutcomeStatsService(
                OutcomeStatsRepository(db), UserRepository(db), catalog
            ),
            questions=questions,
            unprompted=UnpromptedInput(questions, owners, users, catalog),
            staff_faq=staff_faq,
            identities=identities,
        )

    def export_service(self) -> ExportService:
        """The staff export over this database, in the bot's time zone, naming the bot's tips."""
        db = self.db
        return ExportService(
            SessionRepository(db),
            ReportRepository(db),
            self.catalog,
            self.settings.timezone,
            self.now,
            AttendanceRepository(db),
            TipsRepository(db),
            questions=self.questions,
            outcomes=OutcomeStatsRepository(db),
        )

    async def close(self) -> None:
        """Release the database."""
        await self.db.close()


def hours_of(settings: Settings) -> WorkingHours:
    """The Dinas's working hours from the settings."""
    return working_hours(
        settings.timezone,
        settings.work_days,
        settings.work_hours,
        settings.holidays,
        settings.answer_hours,
    )


def _profile(
    db: Database,
    dialogs: DialogService,
    owners: OwnerRepository,
    now: Clock,
    booking: BookingService,
    outbox: OutboxRepository,
    identities: IdentityRepository,
) -> ProfileService:
    """Profiles and data rights; an erasure also clears what the WhatsApp inbox keeps of the
    person under their number, and leaves no deleted row in the write-ahead log."""
    profile = ProfileService(
        dialogs,
        owners,
        now,
        booking,
        outbox,
        PersonalDataRepository(db),
        QuestionRepository(db),
        disk=db,
        identities=identities,
    )
    profile.follow_erasure(WhatsAppInboxRepository(db))
    return profile


def _programme(
    settings: Settings,
    db: Database,
    now: Clock,
    sessions: SessionRepository,
    owners: OwnerRepository,
    outbox: OutboxRepository,
) -> tuple[BookingService, SessionService, AttendanceService]:
    """Booking, sessions and attendance, sharing one reminder schedule."""
    reminders = Reminders(outbox, parse_rules(settings.reminders), settings.timezone)
    booking = BookingService(
        db,
        sessions,
        owners,
        outbox,
        now,
        reminders=reminders,
        max_active=settings.max_active_bookings,
        hold=settings.offer_hold,
    )
    session_service = SessionService(
        db, sessions, UserRepository(db), outbox, now, settings.offer_hold, reminders
    )
    attendance = AttendanceService(
        db,
        AttendanceRepository(db),
        sessions,
        outbox,
        UserRepository(db),
        now,
        settings.feedback_delay,
    )
    return booking, session_service, attendance
