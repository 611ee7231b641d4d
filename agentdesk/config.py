"""The workstation's settings: a TOML file, overridden by `AGENTDESK_` environment variables.

The models below are the settings' documentation (config.example.toml repeats them, field for field). A
variable names a setting by its path with `__` between the parts: `AGENTDESK_HOLD__CAP_SECONDS=8`. Anything
wrong becomes a `ConfigError` whose message says where (file and line, or variable) and what to change.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import phonenumbers
from platformdirs import user_config_dir, user_data_dir
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from agentdesk.errors import ConfigError as ConfigError

ENV_PREFIX = "AGENTDESK_"
ENV_CONFIG = "AGENTDESK_CONFIG"
"""The variable that names the settings file when no path is given."""

_FROZEN = ConfigDict(frozen=True, extra="forbid")
Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]


_KEY_ID = re.compile(r"[a-z_]+(\.[a-z0-9_]+)+")
"""A key's id: an area and a name, e.g. `call.answer`, `faq.top3`."""


def default_store_path() -> Path:
    """Where the local store lives unless configured: the user's data folder."""
    return Path(user_data_dir("agentdesk")) / "agentdesk.db"


def default_config_path() -> Path:
    """The settings file read when none is named (only if it exists)."""
    return Path(user_config_dir("agentdesk")) / "config.toml"


class StoreSettings(BaseModel):
    """The local store."""

    model_config = _FROZEN
    path: Path = Field(default_factory=default_store_path)
    """The SQLite file; `~` is expanded, a relative path in a file is relative to that file's folder."""

    @field_validator("path", mode="after")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()


class AgentSettings(BaseModel):
    """Who works at this terminal."""

    model_config = _FROZEN
    id: str | None = None
    """The agent this terminal signs in as; None (unset) means the store's first front-line agent."""

    @field_validator("id", mode="after")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class DemoSettings(BaseModel):
    """The demo data and the demo calls."""

    model_config = _FROZEN
    customers: int = Field(300, ge=1, le=1_000_000)
    """How many customers `agentdesk demo` creates."""
    seed: int = 2026
    """The same seed gives the same demo data and the same calls."""
    calls: bool = False
    """Whether demo calls arrive on their own."""
    mean_seconds_between_calls: Seconds = 20.0
    """The average gap between demo calls (a Poisson process)."""
    unknown_caller_share: float = Field(0.25, ge=0, le=1)
    """The share of demo calls from numbers that match no customer."""


class PhoneSettings(BaseModel):
    """Phone numbers and ringing."""

    model_config = _FROZEN
    default_region: str = "US"
    """The region whose numbering rules read a number written without a country code."""
    ring_cycle_seconds: Seconds = 6.0
    """One ring and its silence: 6 s in North America (2 s on, 4 s off)."""
    answer_before_ring: int = Field(3, ge=2, le=20)
    """The promise: calls are answered before this ring."""

    @field_validator("default_region", mode="after")
    @classmethod
    def _known_region(cls, value: str) -> str:
        region = value.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError("must be a two-letter region code such as US, GB or DE")
        return region


class HoldSettings(BaseModel):
    """The hold cap."""

    model_config = _FROZEN
    cap_seconds: Seconds = 10.0
    """No caller stays on hold longer than this; at the cap the caller is taken off hold."""
    warn_seconds: Seconds = 7.0
    """When the agent is warned that the cap is close; must come before the cap."""

    @field_validator("warn_seconds", mode="after")
    @classmethod
    def _before_cap(cls, value: float, info: ValidationInfo) -> float:
        cap = info.data.get("cap_seconds")  # absent when the cap itself was not valid
        if cap is not None and not value < cap:
            raise ValueError(f"must be less than hold.cap_seconds ({cap:g})")
        return value


class UiSettings(BaseModel):
    """The screen."""

    model_config = _FROZEN
    history_page_size: int = Field(50, ge=10, le=500)
    """How many history entries one page loads."""
    theme: str = Field("textual-dark", min_length=1)
    """The colour theme."""


class AppointmentSettings(BaseModel):
    """Booking the accounts' professionals."""

    model_config = _FROZEN
    reminder_hours_before: float = Field(24.0, ge=0.25, le=24.0 * 14)
    """How long before an appointment its reminder call is due, in hours."""
    survey_hours_after: float = Field(2.0, ge=0.0, le=24.0 * 14)
    """How long after an appointment ends its survey call is due, in hours."""
    lead_minutes: int = Field(60, ge=0, le=24 * 60 * 7)
    """The booker proposes slots starting at least this many minutes from now."""


class BackendSettings(BaseModel):
    """The team's central backend: where this terminal syncs its local store."""

    model_config = _FROZEN
    url: str | None = None
    """The backend's address, e.g. https://agentdesk.example.com; unset means this terminal works on its own."""
    sync_seconds: Seconds = 5.0
    """How often the terminal syncs when nothing else asks it to (every local change syncs at once)."""
    deadline_seconds: Seconds = 30.0
    """How long one sync keeps retrying an unreachable or busy backend before showing "offline"."""

    @field_validator("url", mode="after")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"https?://[^\s/]+", value):
            raise ValueError("must be a web address starting with https:// or http://")
        return value


class ServerSettings(BaseModel):
    """The central backend's own settings (`agentdesk server`)."""

    model_config = _FROZEN
    token_days: float = Field(7.0, gt=0, le=366)
    """How long a sign-in token lasts from its issue, in days (a week: the desk works weekends too)."""
    public_url: str | None = None
    """The backend's address as customers reach it, e.g. https://desk.example.com: the satisfaction survey's links
    point there. Unset: the address it listens on (right on one machine, wrong behind a proxy)."""
    phone_user: str | None = Field(None, max_length=254)
    """The user name the backend signs in to the phone system as when it fetches a recording kept at the phone
    system's own web address (HTTP Basic; the password from AGENTDESK_PHONE_PASSWORD); unset: no sign-in."""
    phone_seconds: Seconds = 10.0
    """How long the backend waits for the phone system to connect or send the next part of a recording."""
    phone_recording_megabytes: int = Field(200, ge=1, le=100_000)
    """The largest recording the backend passes on from the phone system; a bigger one is refused."""

    @field_validator("public_url", mode="after")
    @classmethod
    def _public_address(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("must be a web address starting with https:// or http://")
        return value


ROUTING_POLICIES = ("longest_idle", "rating")
"""How the backend picks the agent a ringing call is offered to (agentdesk/domain/routing.py)."""


class RoutingSettings(BaseModel):
    """The backend's call offering (`agentdesk server`): which available agent of the account a ringing call goes to."""

    model_config = _FROZEN
    policy: str = "longest_idle"
    """Every account's policy unless named below: longest_idle, or rating (higher-rated agents get more calls)."""
    idle_cap_seconds: float = Field(600.0, ge=1, le=24 * 3600)
    """With rating: an available agent idle this long is offered the next call first, whatever their rating."""
    accounts: dict[str, str] = Field(default_factory=dict)
    """A policy per account id, e.g. {"acct-1" = "rating"}."""

    @field_validator("policy", mode="after")
    @classmethod
    def _known_policy(cls, value: str) -> str:
        if value not in ROUTING_POLICIES:
            raise ValueError(f"must be one of {', '.join(ROUTING_POLICIES)}")
        return value

    @field_validator("accounts", mode="after")
    @classmethod
    def _known_policies(cls, value: dict[str, str]) -> dict[str, str]:
        for account, policy in value.items():
            if policy not in ROUTING_POLICIES:
                raise ValueError(f"{account} = {policy!r}: a policy must be one of {', '.join(ROUTING_POLICIES)}")
        return value

    def policy_for(self, account_id: str) -> str:
        """The routing policy of one account."""
        return self.accounts.get(account_id, self.policy)


class ReportSettings(BaseModel):
    """The day's figures: the daily report and the staffing forecast."""

    model_config = _FROZEN
    short_abandon_seconds: float = Field(5.0, ge=0, le=120)
    """Callers who hang up within this many seconds of the first ring are left out of offered and abandoned."""


class QualitySettings(BaseModel):
    """Ratings of the service: the customers' post-call survey."""

    model_config = _FROZEN
    survey_share: float = Field(0.2, ge=0.0, le=1.0)
    """The share of answered calls with a known customer that get a survey call the next business morning (picked
    from the call's id, so every terminal agrees which); 0 turns post-call surveys off."""


class MonitorSettings(BaseModel):
    """The floor monitor's alert thresholds: at the warning a metric and its row turn amber, at the critical one
    red. The hold warning and the hold cap are [hold]'s; a service level's target is each account's own policy."""

    model_config = _FROZEN
    ring_warning_seconds: Seconds = 12.0
    """A call still ringing after this long (the 3rd ring at a 6 s ring cycle) is a warning."""
    waiting_warning: int = Field(2, ge=1, le=10_000)
    """Calls waiting in one queue: a warning from this many."""
    waiting_critical: int = Field(5, ge=1, le=10_000)
    """Calls waiting in one queue: critical from this many (at least the warning)."""
    longest_wait_warning_seconds: Seconds = 20.0
    """The longest wait in a queue: a warning from this long."""
    longest_wait_critical_seconds: Seconds = 60.0
    """The longest wait in a queue: critical from this long (at least the warning)."""
    service_level_margin: float = Field(10.0, ge=0, le=100)
    """A service level below its target is a warning; this many points below it, critical."""
    unsynced_offline_critical: int = Field(1, ge=1, le=1_000_000)
    """An offline agent with this many changes not yet synced is critical (their work is not on the backend)."""

    @model_validator(mode="after")
    def _warning_before_critical(self) -> MonitorSettings:
        if self.waiting_critical < self.waiting_warning:
            raise ValueError("waiting_critical must be at least waiting_warning")
        if self.longest_wait_critical_seconds < self.longest_wait_warning_seconds:
            raise ValueError("longest_wait_critical_seconds must be at least longest_wait_warning_seconds")
        return self


RING_TONES = ("classic", "bright", "low", "double")
"""The ring tones a line or account can have (agentdesk/sound/tones.py makes them)."""


class SoundSettings(BaseModel):
    """Sound through PyAudio (the `audio` extra): the ring, the hold tones and recordings."""

    model_config = _FROZEN
    device: str | int | None = None
    """The output device, by index or (part of) its name as `agentdesk sound --list` shows; unset: the system's default."""
    volume: float = Field(0.8, ge=0, le=1)
    """The loudness of every sound, 0 to 1."""
    mute: bool = False
    """Whether the desk starts muted (the terminal bell still rings)."""
    ring_tone: str = "classic"
    """The ring of every line and account without one of its own."""
    ring_tones: dict[str, str] = Field(default_factory=dict)
    """A ring tone per line or account id, e.g. {"acct-1" = "bright"}."""
    cache_megabytes: int = Field(200, ge=1, le=100_000)
    """How much room fetched recordings may take on this terminal; the oldest go first."""

    @field_validator("ring_tone", mode="after")
    @classmethod
    def _known_tone(cls, value: str) -> str:
        if value not in RING_TONES:
            raise ValueError(f"must be one of {', '.join(RING_TONES)}")
        return value

    @field_validator("ring_tones", mode="after")
    @classmethod
    def _known_tones(cls, value: dict[str, str]) -> dict[str, str]:
        for key, tone in value.items():
            if tone not in RING_TONES:
                raise ValueError(f"{key} = {tone!r}: a ring tone must be one of {', '.join(RING_TONES)}")
        return value


class MailSettings(BaseModel):
    """E-mail on the backend: the relay that carries the desk's mail out, and what is kept of mail taken in.
    The relay's password comes from AGENTDESK_MAIL_PASSWORD or the OS keyring (`agentdesk server mail-password
    --relay` keeps it there), never from this file."""

    model_config = _FROZEN
    relay: str | None = None
    """The SMTP relay, e.g. smtp://mail.example.com:587; unset means the backend queues mail but sends none."""
    starttls: bool = False
    """Whether to ask the relay for STARTTLS before sending (and refuse to send without it)."""
    relay_user: str | None = Field(None, max_length=254)
    """The user name the relay signs the backend in as (AGENTDESK_MAIL_USERNAME wins); unset: no sign-in."""
    attachment_cap_bytes: int = Field(10 * 1024 * 1024, ge=0, le=1024 * 1024 * 1024)
    """An attachment's content is kept with its ticket up to this size (the raw message keeps all of it)."""
    send_seconds: Seconds = 5.0
    """How often the backend looks for mail to send."""
    first_retry_seconds: Seconds = 60.0
    """The wait before a failed mail is tried again; it doubles with each try, up to six hours."""
    imap_seconds: Seconds = 120.0
    """How often the backend polls the accounts' IMAP mailboxes whose server has no IDLE (where it has IDLE, mail
    is fetched as it arrives), and looks for mailboxes newly set."""
    schedules: bool = True
    """Whether the backend mails each professional with an e-mail address their day (needs a relay)."""
    schedule_hour: int = Field(7, ge=0, le=23)
    """The local hour (the account's time zone) from which each professional with an e-mail address is mailed
    their day, once a day, with the day's .ics calendar attached."""
    report_to: dict[str, list[str]] = Field(default_factory=dict)
    """Per account id, who gets the account's daily report by mail once it is kept after midnight, e.g.
    {"acct-1" = ["ops@client.example"]}; an account not listed gets no report mail."""

    @field_validator("report_to", mode="after")
    @classmethod
    def _addresses(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        cleaned: dict[str, list[str]] = {}
        for account, addresses in value.items():
            found = [address.strip() for address in addresses]
            bad = [a for a in found if not re.fullmatch(r"[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+", a) or len(a) > 254]
            if bad:
                raise ValueError(f"{account}: {bad[0][:80]!r} is not an e-mail address")
            if found:
                cleaned[account.strip()] = list(dict.fromkeys(found))
        return cleaned

    @field_validator("relay", mode="after")
    @classmethod
    def _smtp_address(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"smtp://[^\s/:]+(:\d{1,5})?/?", value):
            raise ValueError("must be an SMTP address like smtp://mail.example.com:587")
        return value


class AllocationSettings(BaseModel):
    """The backend's allocation of written cases (e-mail, chat, SMS, web form) to the agents of their account
    (agentdesk/server/allocation.py): each new case at once, and the open cases of agents away too long."""

    model_config = _FROZEN
    enabled: bool = True
    """Whether the backend gives each new written case to an agent and moves the cases of absent agents."""
    away_minutes: float = Field(30.0, ge=1, le=7 * 24 * 60)
    """An agent away or offline this many minutes has their open written cases moved to agents on the floor."""
    max_open: int = Field(20, ge=1, le=100_000)
    """An agent with this many open cases (new, open, escalated) is given no more while others have room."""
    rating_breaks_ties: bool = True
    """Between agents with as many open cases, the higher rated (the last 30 days) gets the case."""
    words: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    """Per account id, category words and the agents preferred for cases that use them, e.g.
    {"acct-1" = {"refund" = ["agent-3", "agent-7"]}}; a word matches the start of a word of the subject or text."""

    @field_validator("words", mode="after")
    @classmethod
    def _words_and_agents(cls, value: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, list[str]]]:
        cleaned: dict[str, dict[str, list[str]]] = {}
        for account, words in value.items():
            for word, agents in words.items():
                if not word.strip():
                    raise ValueError(f"{account}: a category word is empty")
                if not agents or any(not agent.strip() for agent in agents):
                    raise ValueError(f"{account}.{word}: name at least one agent id, none empty")
                cleaned.setdefault(account, {})[word.strip().lower()] = [agent.strip() for agent in agents]
        return cleaned

    def words_for(self, account_id: str) -> dict[str, list[str]]:
        """The category words of one account: {word: agent ids}."""
        return self.words.get(account_id, {})


class Settings(BaseSettings):
    """Every setting of the workstation. Build it with `load_settings`; `Settings()` alone is the defaults."""

    model_config = SettingsConfigDict(
        frozen=True, extra="forbid", env_prefix=ENV_PREFIX, env_nested_delimiter="__"
    )
    store: StoreSettings = Field(default_factory=StoreSettings)
    agent: AgentSettings = Field(default_factory=AgentSettings)
    demo: DemoSettings = Field(default_factory=DemoSettings)
    phone: PhoneSettings = Field(default_factory=PhoneSettings)
    hold: HoldSettings = Field(default_factory=HoldSettings)
    ui: UiSettings = Field(default_factory=UiSettings)
    appointments: AppointmentSettings = Field(default_factory=AppointmentSettings)
    backend: BackendSettings = Field(default_factory=BackendSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    routing: RoutingSettings = Field(default_factory=RoutingSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    quality: QualitySettings = Field(default_factory=QualitySettings)
    monitor: MonitorSettings = Field(default_factory=MonitorSettings)
    sound: SoundSettings = Field(default_factory=SoundSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    allocation: AllocationSettings = Field(default_factory=AllocationSettings)
    keymap: dict[str, str] = Field(default_factory=dict)
    """Remapped keys: a key's id (shown in the help overlay, `?`) to the key or keys to use instead."""

    @field_validator("keymap")
    @classmethod
    def _keymap_entries(cls, value: dict[str, str]) -> dict[str, str]:
        for key_id, keys in value.items():
            if not _KEY_ID.fullmatch(key_id):
                raise ValueError(f"{key_id!r} is not a key's id; ids look like call.answer (press ? to see them)")
            if not keys.strip() or any(not key.strip() for key in keys.split(",")):
                raise ValueError(f"the key for {key_id} is empty; give one like \"f5\" or \"ctrl+a\"")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only load_settings reads the environment (from the mapping it is given), so tests never see the
        # user's variables and the file and the environment are merged in one place.
        return (init_settings,)


class _EnvironmentSource(EnvSettingsSource):
    """pydantic-settings' reading of `AGENTDESK_...` variables, from a given mapping instead of os.environ."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        super().__init__(Settings)
        self.env_vars = {name.lower(): value for name, value in environ.items()}


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """The settings from `path` (else $AGENTDESK_CONFIG, else the user's config file if any) and `env`.

    Environment variables win over the file. Raises `ConfigError` with a message for a person.
    """
    environ = os.environ if env is None else env
    file = _settings_file(path, environ)
    text, data = _read_toml(file) if file is not None else ("", {})
    if file is not None:
        data = _anchor_store_path(data, file.parent)
    try:
        from_env = _EnvironmentSource(environ)()
    except SettingsError as error:
        # Only a whole section given as one variable (JSON) can fail here: name that variable.
        field = re.search(r'field "(\w+)"', str(error))
        name = ENV_PREFIX + (field[1].upper() if field else "...")
        raise ConfigError(
            f"The environment variable {name} could not be read as JSON. "
            f"Set one setting per variable instead, e.g. {ENV_PREFIX}HOLD__CAP_SECONDS=8."
        ) from None
    try:
        return Settings(**_merge(data, from_env))
    except ValidationError as error:
        raise ConfigError(_describe(error, file, text, environ)) from None


def _settings_file(path: Path | None, environ: Mapping[str, str]) -> Path | None:
    if path is None and environ.get(ENV_CONFIG):
        path = Path(environ[ENV_CONFIG])
    if path is None:
        default = default_config_path()
        return default if default.is_file() else None
    path = path.expanduser()
    if not path.is_file():
        raise ConfigError(
            f"The settings file {path} does not exist or is not a file. "
            "Check the path, or leave it out to start with the default settings."
        )
    return path


def _read_toml(file: Path) -> tuple[str, dict[str, Any]]:
    try:
        text = file.read_bytes().decode("utf-8")
    except OSError as error:
        raise ConfigError(f"The settings file {file} could not be read: {error.strerror or error}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"The settings file {file} is not UTF-8 text; save it as UTF-8.") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        reason = str(error)
        # Python 3.11's error has no line attributes; its message ends with "(at line L, column C)".
        where = re.search(r"\(at line (\d+), column (\d+)\)$", reason)
        reason = reason[: where.start()].rstrip() if where else reason
        place = f", line {where[1]}, column {where[2]}" if where else ""
        raise ConfigError(f"{file}{place}: this is not valid TOML ({reason}). Fix that line.") from None


def _anchor_store_path(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """A relative store path in a file means next to that file, not wherever the command was started."""
    store = data.get("store")
    if isinstance(store, dict) and isinstance(store.get("path"), str):
        written = Path(store["path"]).expanduser()
        if not written.is_absolute():
            return {**data, "store": {**store, "path": str(folder / written)}}
    return data


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _describe(error: ValidationError, file: Path | None, text: str, environ: Mapping[str, str]) -> str:
    """One line per problem: where the value was written, the setting's path, and what is wrong with it."""
    lines = []
    for problem in error.errors():
        loc = tuple(str(part) for part in problem["loc"])
        value = problem.get("input")
        message = problem["msg"].removeprefix("Value error, ").replace("Input should be", "must be")
        if problem["type"] == "extra_forbidden":
            message = "is an unknown setting"
        elif not isinstance(value, dict):
            message += f" (it is {repr(value)[:60]})"
        if variable := _variable_for(loc, environ):
            where = f"The environment variable {variable}"
        elif file is not None:
            line = _line_of(text, loc)
            where = f"{file}, line {line}" if line else str(file)
        else:
            where = "The settings"
        lines.append(f"{where}: {'.'.join(loc)} {message}.")
    advice = "config.example.toml documents every setting."
    if len(lines) == 1:
        return f"{lines[0]} {advice}"
    return "\n  ".join([f"The settings are not valid. {advice}", *lines])


def _variable_for(loc: tuple[str, ...], environ: Mapping[str, str]) -> str | None:
    """The variable that set the value at `loc` (itself, or its whole section as JSON); it beats the file."""
    names = {name.lower(): name for name in environ}
    for depth in range(len(loc), 0, -1):
        if name := names.get((ENV_PREFIX + "__".join(loc[:depth])).lower()):
            return name
    return None


_TABLE = re.compile(r"\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")


def _line_of(text: str, loc: tuple[str, ...]) -> int | None:
    """The line of `key =` inside its [section] (or `section.key =` on top), else the [section] itself."""
    section, key = (loc[0], loc[1]) if len(loc) > 1 else ("", loc[0])
    key_at = re.compile(rf"""(["']?){re.escape(key)}\1\s*=""")
    dotted_at = re.compile(rf"""{re.escape(section)}\s*\.\s*{re.escape(key)}\s*=""")
    current, header_line = "", None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if table := _TABLE.match(line):
            current = table[1].strip("\"' ")
            if current == (section or key) and header_line is None:
                header_line = number
        elif current == section and key_at.match(line) or current == "" and section and dotted_at.match(line):
            return number
    return header_line
