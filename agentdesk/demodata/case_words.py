"""What customers and agents write in the demo's cases, per account: the customer's message, the agent's reply
and the agent's internal note, in each business's own words (Cedar Dental writes British English)."""

from __future__ import annotations

_ALDER = {
    "customer": (
        "The technician came on Tuesday but the water heater is still making a banging noise. Can someone come back?",
        "I was charged $89 twice for the same service visit. Please refund one of them.",
        "My smart thermostat shows a blank screen after the power cut. I tried holding the dial, nothing.",
        "I'd like to pause my Home Shield plan while we are away for the winter.",
        "Your technician left mud all over the hallway carpet. I want this noted.",
    ),
    "reply": (
        "Thank you for letting us know. I have booked a return visit in the 8-10 am window at no charge.",
        "You were right: the second charge was a duplicate. The refund will show in three to five business days.",
        "Sorry about the trouble. A technician will call you 30 minutes before arriving.",
    ),
    "note": (
        "Checked the install date: tank still under the six-year warranty. Parts ordered.",
        "Called the customer back, no answer. Left a voicemail with the case number.",
        "Second duplicate charge this week from the same card reader; raised with billing.",
    ),
}
_BIRCH = {
    "customer": (
        "My trail tent arrived with a broken pole. Can you send a replacement before our trip on the 12th?",
        "The hiking boots are half a size too small. How do I exchange them?",
        "Tracking has said 'label created' for six days. Where is my order?",
        "The rain shell leaks at the seams after two uses. I'd like a refund.",
        "I was sent a blue sleeping bag instead of the green one I ordered.",
    ),
    "reply": (
        "Sorry about the pole. A replacement ships today by two-day delivery, no need to send the tent back.",
        "Happy to exchange them. I have e-mailed a prepaid return label; the new pair ships when we scan it.",
        "I have checked with the carrier: the parcel was delayed at the depot and is out for delivery tomorrow.",
    ),
    "note": (
        "Batch of tent poles from the spring shipment: third report this month. Flagged to the buyer.",
        "Customer prefers store credit over a refund. Issued a code by e-mail.",
        "Carrier claim opened for the lost parcel, reference in the order notes.",
    ),
}
_CEDAR = {
    "customer": (
        "I need to move my check-up on Thursday, I have been called for jury service.",
        "My filling came out last night and the tooth is sensitive. Is there an emergency slot?",
        "I was charged for a hygienist visit that my dental plan should cover.",
        "Could you send me the treatment plan and the quote for Invisalign by e-mail, please?",
        "My daughter's appointment letter shows the wrong practice. Which one should we go to?",
    ),
    "reply": (
        "We have moved your check-up to Monday at 10:30 at the same practice. A reminder will follow by text.",
        "Our apologies: the charge should not have been taken. A refund has been issued to your card.",
        "We have an emergency slot tomorrow at 8:15. Please call 111 overnight if the pain gets worse.",
    ),
    "note": (
        "Plan membership confirmed; hygienist visits 1 of 2 used this year. Refund approved by the practice manager.",
        "Patient prefers morning appointments at the Islington practice.",
        "Treatment plan sent by secure e-mail; patient will ring back after speaking to her insurer.",
    ),
}
_DOGWOOD = {
    "customer": (
        "I sent the vet invoice for Bella's surgery three weeks ago. When will the claim be paid?",
        "Why did my premium go up by $12 this month? Nothing changed on my policy.",
        "Our vet says the wellness add-on should cover the dental cleaning. Can you confirm?",
        "I want to add our new puppy to my existing policy.",
        "The claim form keeps rejecting the vet's invoice upload. It's a PDF.",
    ),
    "reply": (
        "Your claim was approved today; $640 will reach your bank account within three business days.",
        "Premiums change at renewal with your pet's age. I have sent you the breakdown by e-mail.",
        "Good news: the wellness add-on covers one dental cleaning a year up to $150.",
    ),
    "note": (
        "Waiting on the full clinical history from the vet; chased by e-mail today.",
        "Pre-existing condition check done: the knee was first noted after the policy started. Claim can proceed.",
        "Customer upset about the renewal price; offered the accident-only cover as an option.",
    ),
}

TICKET_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "Alder Home Services": _ALDER,
    "Birch Outdoor Supply": _BIRCH,
    "Cedar Dental Group": _CEDAR,
    "Dogwood Pet Insurance": _DOGWOOD,
}
"""Per account name: message texts by kind of thread message ("customer", "reply", "note")."""
