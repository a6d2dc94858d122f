"""The review rules in one place: the code enforces these constants and /how-reviews-work/ prints them.

Change a figure here and both the behaviour and the public page change with it (a test checks
that the page follows). Each constant says why it has the value it has.
"""

from datetime import timedelta

# Reviews can be corrected for a month: long enough to fix a typo or add what happened later,
# short enough that a therapist's reply is not answered by a silently rewritten review.
EDIT_WINDOW = timedelta(days=30)

# Burst hold. Review extortion (a run of one-star reviews followed by a demand for money) and
# bought praise both arrive as several reviews in a short time from freshly made accounts. A real
# practice rarely gets BURST_MIN_REVIEWS reviews within BURST_WINDOW from accounts that are all
# younger than BURST_YOUNG_ACCOUNT, so such reviews wait for a moderator instead of counting at
# once. The rule never looks at the rating: a burst of five-star reviews is held exactly like a
# burst of one-star reviews (16 CFR 465: no suppressing reviews by their rating).
BURST_WINDOW = timedelta(hours=1)
BURST_MIN_REVIEWS = 3
BURST_YOUNG_ACCOUNT = timedelta(days=7)

# ISO 20488 asks that records of removed reviews are kept for at least a year. After that the
# text (title, body, the reply) is erased by a scheduled task; the row and the decision log keep
# the counts, never the words.
RETENTION_MONTHS = 12
RETENTION = timedelta(days=round(RETENTION_MONTHS * 365 / 12))

# A client who deletes their account may keep their reviews: each stays as written, detached from the
# account and signed with this name (privacy.services.erase_account).
FORMER_CLIENT_NAME = "A former client"

# Insider reviews are refused outright: the FTC rule allows them with the relationship disclosed,
# our rule is stricter because the score cannot weigh a disclosure.
INSIDER_QUESTION = (
    "Do you work for this therapist, are you related to them, or were you paid or given anything "
    "(a discount, a free session, a gift) for this review?"
)
INSIDER_REFUSAL = (
    "Thank you for telling us. We do not publish reviews from people who work for the therapist, are "
    "related to them, or were paid or rewarded for the review, even with the relationship disclosed: "
    "clients rely on reviews being independent, and the score cannot weigh a disclosure. Nothing was "
    "published."
)

# Withdrawn reviews keep this as their hidden reason, so the records say why they are not shown.
WITHDRAWN_REASON = "Withdrawn by the author"

# The profile lists reviews newest first unless the visitor chooses another order.
SORTS = {
    "newest": "Newest first",
    "highest": "Highest rating first",
    "lowest": "Lowest rating first",
}
DEFAULT_SORT = "newest"

# The right of reply (ISO 20488) stops at the client's privacy: a reply that confirms a diagnosis, a
# treatment or anything else the review did not say tells the world a stranger's health. The reply form
# shows this above the text box, /how-reviews-work/ prints it, and a reply that breaks it can be reported
# and hidden by a moderator (logged, with the reason, like a hidden review).
REPLY_RULE = (
    "Do not disclose anything about the client’s health or visit beyond what the review says: not a "
    "condition, a treatment, what they told you, the date or anything else. Your reply is public."
)
