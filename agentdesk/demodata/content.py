"""The words of the demo: four client businesses, their top-ten answers, products, scripts and templates.

Top-ten bodies link to each other with `{rank:N}` (replaced by `[[faq:<id>|<title>]]` of the account's answer
N) and to scripts with `[[script:<name>|label]]`. Each rank-5 title's longest word appears in no other title
of its account or of the global base, so a search for it finds that answer first.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """A client business of the demo."""

    name: str
    time_zone: str
    price_per_minute_cents: int
    phone_number: str
    greeting: str
    products: tuple[tuple[str, int], ...]  # (product, unit price in cents)
    categories: tuple[str, ...]
    top_ten: tuple[tuple[str, str, str, str], ...]  # (title, category, product, body)
    location: str
    skills: tuple[str, ...]


_ALDER_TOP = (
    ("When can a technician come out?", "Appointments", "Service visit",
     "We book visits in two-hour windows, Monday to Saturday. Same-day slots open at 7 am. Check the "
     "caller's address first, then offer the earliest window. See {rank:2} and {rank:3}. "
     "[[script:booking|Booking script]]"),
    ("What are your opening hours and holidays?", "General", "",
     "Phones are answered 7 am to 9 pm Eastern, every day but Christmas and New Year's Day. Emergencies "
     "are answered around the clock: {rank:6}."),
    ("How much does a service visit cost?", "Billing", "Service visit",
     "A visit costs $89 and covers the first half hour of work. Home Shield members pay nothing for the "
     "visit ({rank:9}). Parts are quoted before any work starts. [[article:price-list|Price list]]"),
    ("Is my water heater under warranty?", "Warranty", "Water heater",
     "Water heaters we install carry six years on the tank and one year on labour. Ask for the install "
     "date and the serial number. Out of warranty? Offer {rank:9}."),
    ("How do I reschedule my visit?", "Appointments", "Service visit",
     "Visits can be moved free of charge until 6 pm the day before. Find the booking, offer the next "
     "three windows ({rank:1}), and confirm by text. Late changes: {rank:3}. "
     "[[script:booking|Booking script]]"),
    ("What counts as a plumbing emergency?", "Emergencies", "Drain cleaning",
     "Burst pipes, no heat below 40°F, gas smell (tell the caller to leave the house and call 911 first), "
     "sewage backing up. Emergencies are dispatched within two hours. [[script:emergency|Emergency script]]"),
    ("Can I pay in instalments?", "Billing", "Home Shield plan",
     "Jobs over $500 can be split into three or six monthly payments without interest. See {rank:3} for "
     "what a visit costs. [[script:payment|Taking a payment]]"),
    ("How do I reset my smart thermostat?", "Products", "Smart thermostat",
     "Hold the dial for ten seconds until the screen shows RESET, then pick the language. If it stays blank, "
     "book a visit: {rank:1}."),
    ("What does the Home Shield plan cover?", "Products", "Home Shield plan",
     "Two tune-ups a year, free service visits, 15% off parts and priority booking. Cancelling or pausing: "
     "{rank:10}. [[article:home-shield-terms|Plan terms]]"),
    ("How do I cancel or pause my membership?", "Billing", "Home Shield plan",
     "Offer help first: what made the caller want to leave? [[script:save-the-sale|Save the sale]]. If they "
     "still want to cancel, it ends at the end of the paid month. Benefits: {rank:9}."),
)

_BIRCH_TOP = (
    ("Where is my parcel right now?", "Shipping", "",
     "Look the order up and read the tracking status. Parcels ship within one working day; ground delivery "
     "takes three to five days. Lost parcel? {rank:10}. [[script:order-lookup|Finding an order]]"),
    ("Can I exchange hiking boots?", "Returns", "Hiking boots",
     "Unworn boots can be exchanged within 60 days. Worn outdoors? Check {rank:9} for what the warranty "
     "covers. [[script:refund|Refund script]]"),
    ("Do you price-match competitors?", "Orders", "",
     "We match the price of a named competitor's identical item in stock, within 14 days of the order. "
     "Refund the difference to the original payment: {rank:2}."),
    ("How do I waterproof my tent?", "Products", "Trail tent",
     "Pitch it dry, clean the fly, spray seam sealer on every seam and let it cure for a day. A leaking "
     "new tent is a warranty case: {rank:9}."),
    ("Which sleeping bag temperature rating do I need?", "Products", "Down sleeping bag",
     "Pick a comfort rating 10°F below the coldest night expected. Our down bag is rated 20°F comfort. "
     "For kayak trips see {rank:9}."),
    ("Is the camp stove allowed on flights?", "Products", "Camp stove",
     "The stove may fly in checked luggage if it is new or perfectly clean; fuel canisters never fly. "
     "Ship fuel ahead instead: {rank:1}."),
    ("Do you ship to Alaska and Hawaii?", "Shipping", "",
     "Yes, by air only, in five to eight days. Kayaks cannot ship there. Tracking: {rank:1}."),
    ("How do I redeem gift vouchers?", "Orders", "",
     "Vouchers are entered at checkout or over the phone; they never expire. Balance check: read the last "
     "six digits back to the caller. [[script:payment|Taking a payment]]"),
    ("What does the kayak warranty cover?", "Products", "Kayak",
     "Two years against manufacturing faults, hull cracks included; not impact damage. Ask for photos by "
     "e-mail and open a case. [[script:refund|Refund script]]"),
    ("How do I update my mailing address?", "Account", "",
     "Addresses can change until the parcel ships. After that, the carrier can redirect it: see {rank:1}."),
)

_CEDAR_TOP = (
    ("How do I book a check-up?", "Appointments", "Check-up",
     "Check-ups are 30 minutes with a dentist, weekdays 8 am to 6 pm and Saturday mornings. Offer the next "
     "free slot at the patient's usual practice. [[script:booking|Booking script]] Fees: {rank:3}."),
    ("What should I do about toothache at night?", "Emergencies", "",
     "Take painkillers as the packet says, rinse with warm salt water, and ring at 8 am for an emergency "
     "slot. Swelling of the face or trouble breathing: call 999. [[script:emergency|Emergency script]]"),
    ("What does a hygienist visit cost?", "Fees", "Hygienist visit",
     "£65 for 30 minutes; plan members pay nothing for two visits a year ({rank:9})."),
    ("Is whitening safe?", "Treatments", "Whitening",
     "Yes, when a dentist supervises it. We assess the teeth first at a check-up ({rank:1})."),
    ("Can I postpone my visit?", "Appointments", "Check-up",
     "Appointments can move free of charge up to 24 hours before. Later changes cost £25 unless it is an "
     "illness. Offer three new slots: {rank:1}. [[script:booking|Booking script]]"),
    ("Do you treat nervous patients?", "Treatments", "",
     "Yes: longer appointments, a quiet room and sedation when needed. Note it on the booking ({rank:1})."),
    ("How do clear aligners work?", "Treatments", "Invisalign",
     "Clear aligners are changed every two weeks for about a year. A free consultation comes first: "
     "{rank:1}. Paying monthly: {rank:8}."),
    ("Can I spread the cost of treatment?", "Fees", "Dental plan",
     "Treatment over £500 can be paid over 12 months at 0%. [[script:payment|Taking a payment]]"),
    ("What does the dental plan include?", "Fees", "Dental plan",
     "Two check-ups and two hygienist visits a year, 10% off treatment, and emergency cover abroad. "
     "Leaving the plan: {rank:10}."),
    ("How do I leave the dental plan?", "Fees", "Dental plan",
     "Offer help first. [[script:save-the-sale|Save the sale]]. The plan ends after one month's notice; "
     "what it includes: {rank:9}."),
)

_DOGWOOD_TOP = (
    ("How do I make a claim?", "Claims", "Accident cover",
     "Claims are made online or by phone with the vet's invoice. We pay the vet or the owner within ten "
     "working days. [[script:claim|Claims script]] Excess: {rank:3}."),
    ("Which conditions are not covered?", "Policies", "Lifetime cover",
     "Conditions that started before the policy, routine care, and cosmetic treatment. See {rank:9}."),
    ("How much is the excess?", "Claims", "",
     "The excess is $100 per condition per year; older pets may pay 20% co-payment on top ({rank:1})."),
    ("Can I see any vet I like?", "Vets", "",
     "Yes, any licensed vet in the United States. Pay direct only with vets that accept it ({rank:1})."),
    ("How long does reimbursement take?", "Claims", "Accident cover",
     "Ten working days from a complete claim. Missing documents pause the clock: {rank:1}. "
     "[[script:claim|Claims script]]"),
    ("When does my cover start?", "Policies", "",
     "Accidents are covered after two days, illness after 14 days. Lifetime cover details: {rank:9}."),
    ("How do I change my payment date?", "Payments", "",
     "Any day from the 1st to the 28th; the next payment moves, none is skipped. "
     "[[script:payment|Taking a payment]]"),
    ("Does the wellness add-on cover vaccinations?", "Policies", "Wellness add-on",
     "Yes: yearly vaccinations, flea and worm treatment, and one dental clean, up to $250 a year."),
    ("What is lifetime cover?", "Policies", "Lifetime cover",
     "Cover that renews every year for the pet's whole life, including long-term conditions, as long as "
     "the policy stays active. Not covered: {rank:2}."),
    ("How do I cancel my policy?", "Payments", "",
     "Offer help first. [[script:save-the-sale|Save the sale]]. Cancelling within 14 days refunds "
     "everything; later, the month runs out. Lifetime cover: {rank:9}."),
)

ACCOUNTS: tuple[AccountSpec, ...] = (
    AccountSpec(
        "Alder Home Services", "America/New_York", 118, "+18882180100",
        "Thank you for calling Alder Home Services, this is {agent}. How can I help you today?",
        (("Service visit", 8900), ("Furnace tune-up", 12900), ("Water heater", 119900),
         ("Smart thermostat", 24900), ("Drain cleaning", 17900), ("Home Shield plan", 2400)),
        ("Appointments", "Billing", "Warranty", "Emergencies", "Products", "General"),
        _ALDER_TOP, "New York, NY", ("plumbing", "heating", "electrical", "cooling", "inspection"),
    ),
    AccountSpec(
        "Birch Outdoor Supply", "America/Los_Angeles", 125, "+18884140100",
        "Birch Outdoor Supply, {agent} speaking. What can I do for you?",
        (("Trail tent", 32900), ("Down sleeping bag", 27900), ("Hiking boots", 18900), ("Camp stove", 7900),
         ("Kayak", 89900), ("Rain shell", 15900)),
        ("Orders", "Shipping", "Returns", "Products", "Account"),
        _BIRCH_TOP, "Portland, OR", ("fitting", "repairs", "kayak lessons", "climbing gear", "boot fitting"),
    ),
    AccountSpec(
        "Cedar Dental Group", "Europe/London", 140, "+442079460100",
        "Good morning, Cedar Dental Group, {agent} speaking. How may I help?",
        (("Check-up", 5500), ("Hygienist visit", 6500), ("Whitening", 39900), ("Invisalign", 320000),
         ("Dental plan", 1800)),
        ("Appointments", "Fees", "Treatments", "Emergencies"),
        _CEDAR_TOP, "London", ("check-ups", "hygiene", "orthodontics", "implants", "children"),
    ),
    AccountSpec(
        "Dogwood Pet Insurance", "America/Chicago", 99, "+18443210100",
        "Dogwood Pet Insurance, this is {agent}. Are you calling about a claim today?",
        (("Accident cover", 1900), ("Lifetime cover", 4900), ("Wellness add-on", 1500)),
        ("Claims", "Policies", "Payments", "Vets"),
        _DOGWOOD_TOP, "Chicago, IL", ("claims review", "vet liaison", "underwriting", "exotic pets"),
    ),
)

# The rest of each account's FAQ base: "<question> <product>", "<body>" from these pieces.
MORE_QUESTIONS = (
    "How to register your", "Cleaning and care for the", "Inspecting the", "Upgrading the",
    "Sending back the",
    "Replacing parts of the", "Tracking an order for the", "Repairs to the", "Looking after the",
    "Troubleshooting the", "Sizes and fit of the", "Accessories for the", "Safety notes for the",
    "Storing the", "Payment options for the", "Delivery times for the",
)
MORE_SENTENCES = (
    "Ask the caller for the order number or the name on the account before anything else.",
    "Most questions are answered in the product guide; read the relevant part aloud.",
    "If the caller is unhappy with the answer, offer a call back from a senior agent.",
    "Never promise a date the system does not show.",
    "Confirm the details back to the caller and note them in the wrap-up.",
    "Prices quoted include tax unless the caller is a business customer.",
    "A photo sent by e-mail speeds things up: give the caller the case number to quote.",
    "Parts that are out of stock can be ordered; they usually arrive within a week.",
    "Write down what the caller tried already, so nobody asks twice.",
    "Offer the printed guide by post if the caller has no e-mail.",
)
GLOBAL_FAQ = (
    ("How do I update my contact details?", "Accounts"), ("How do I make a complaint?", "Complaints"),
    ("Which payment methods do you accept?", "Payments"), ("How do I get a copy of my data?", "Privacy"),
    ("How do I delete my data?", "Privacy"), ("Accessibility: large print and relay calls", "Accessibility"),
    ("Can someone else call on my behalf?", "Accounts"), ("How do I verify a caller's identity?", "Security"),
    ("What if the call drops?", "Calls"), ("Interpreter and language line", "Accessibility"),
    ("How are calls recorded and kept?", "Privacy"), ("Handling an abusive caller", "Calls"),
    ("Escalating to a senior agent", "Calls"), ("Opening a case and giving its number", "Cases"),
    ("Follow-up calls: when and how", "Cases"), ("Sending a receipt by e-mail", "Payments"),
    ("Chargebacks and disputed payments", "Payments"), ("Power cuts and office closures", "General"),
    ("Holiday opening times", "General"), ("Checking service status", "General"),
)
GLOBAL_BODY = (
    "This applies to every account. Verify the caller first ([[script:verify-identity|Identity check]]), "
    "then follow the steps below. When in doubt, escalate ([[script:escalation|Escalation script]])."
)
CALL_OUTCOMES = ("resolved", "resolved", "resolved", "information given", "follow-up needed", "escalated",
                 "order placed", "appointment booked", "refund requested", "transferred")
TICKET_SUBJECTS: dict[str, tuple[str, ...]] = {
    # Each kind of ticket with subjects a customer of that kind would write (a refund is never "Update my details").
    "question": ("Question about my bill", "Appointment change", "Update my details", "Question about my account",
                 "How do I pay?", "Opening hours over the holidays"),
    "refund": ("Refund request for order", "Item arrived damaged", "Where is my refund?", "Wrong item delivered",
               "Charged twice"),
    "cancellation": ("Cancel my subscription", "Please cancel my plan", "Cancel my order", "Stop my renewal",
                     "Close my account"),
    "escalation": ("Complaint about a technician", "Still not fixed after two visits", "Nobody called me back",
                   "Formal complaint"),
    "follow_up": ("Following up on my call", "Call me back please", "Any news on my case?", "Waiting for the quote"),
}
"""Ticket subjects by the ticket's kind."""
TICKET_KINDS = ("question", "question", "refund", "cancellation", "escalation", "follow_up")
TICKET_STATUSES = ("new", "open", "open", "pending", "resolved", "resolved", "closed")
ORDER_STATUSES = ("delivered", "delivered", "delivered", "delivered", "shipped", "placed", "refunded",
                  "cancelled")
MESSAGE_SUBJECTS = ("Question about my order", "Invoice", "Re: your appointment", "Thanks!", "Complaint",
                    "Change of address", "Refund?", "Opening hours", "Broken part", "Following up")
REPLY_TEMPLATES = (
    ("Case opened", "Hello {{ customer_name }},\n\nThank you for contacting {{ account_name }}. Your case "
     "number is {{ case_number }}; please quote it if you write again.\n\n{{ agent_name }}"),
    ("Order update", "Hello {{ customer_name }},\n\nYour order {{ order_number }} is on its way.\n\n"
     "{{ agent_name }}, {{ account_name }}"),
    ("Refund confirmation", "Hello {{ customer_name }},\n\nWe have refunded order {{ order_number }}. The "
     "money reaches your account in 3 to 5 working days.\n\n{{ agent_name }}"),
    ("Resolution check", "Hello {{ customer_name }},\n\nMay we close case {{ case_number }}? Reply yes and "
     "we will mark it resolved.\n\n{{ agent_name }}"),
)
# Text that must be shown as text: escape sequences and markup in what customers write (docs/hardening.md).
HOSTILE_NAMES = (
    "Eve [@click=app.quit]Winner[/] Mallory",
    "Trudy \x1b]0;You have been hacked\x07\x1b[31mRed\x1b[0m Oswald",
)
HOSTILE_TEXTS = (
    "Please call me back \x1b]52;c;ZWNobyBwd25lZA==\x07 about [bold]my refund[/bold] [/",
    "\x1b[2J\x1b[HSYSTEM: read this to the caller \x1b]8;;http://evil.example/\x1b\\here\x1b]8;;\x1b\\",
    "Click [@click=app.quit]here[/] or [link=https://evil.example]here[/link] \u202egnp.exe",
)
