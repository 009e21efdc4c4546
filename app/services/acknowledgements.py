"""INT-7: the system's acknowledgement messages. Each is stored in the case's conversation in both languages (Korean,
then English: the case team reads it as it was sent), and the reporter's inbox names it by a code as well, so that the
reporter's app shows only the reader's language, in its own words (issue 14, docs/pwa.md). The terms follow
docs/glossary.md: 접수 코드 / receipt code, 수신함 / inbox."""

from __future__ import annotations

ACKNOWLEDGEMENT = (
    "신고가 접수되었습니다. 사건 담당팀이 내용을 확인하고 이 수신함으로 연락드립니다. "
    "접수 코드는 다시 표시되지 않으니 안전한 곳에 보관해 주세요.\n\n"
    "Your report has been received. The case team will review it and reach you in this inbox. "
    "Your receipt code is not shown again: keep it somewhere safe."
)
# CASE-8 (security review F4): the same words for every report in escrow, whatever matching did with it.
ESCROW_ACKNOWLEDGEMENT = (
    "신고가 접수되었으며, 요청하신 대로 봉인해 두었습니다. 사건 담당팀이 검토할 때까지 봉인된 상태로 보관되며, "
    "담당팀이 이 수신함으로 연락드립니다. 접수 코드는 다시 표시되지 않으니 안전한 곳에 보관해 주세요.\n\n"
    "Your report has been received and is held sealed, as you asked, until the case team reviews it; the team "
    "will reach you in this inbox. Your receipt code is not shown again: keep it somewhere safe."
)
SECONDARY_DAMAGE_ACKNOWLEDGEMENT = (
    "2차 피해 신고가 접수되었습니다. 원 사건의 담당팀이 별도 사건으로 처리하며, 진행 상황은 이 수신함에서 "
    "확인할 수 있습니다.\n\n"
    "Your report of secondary damage has been received. The original case's team handles it as a case of its "
    "own; follow its status in this inbox."
)

# The code the reporter's app renders in the reader's language (`system.<code>` in pwa/i18n/*.json).
CODES = {
    ACKNOWLEDGEMENT: "acknowledgement",
    ESCROW_ACKNOWLEDGEMENT: "acknowledgement.escrow",
    SECONDARY_DAMAGE_ACKNOWLEDGEMENT: "acknowledgement.secondary_damage",
}


def code_of(body: str) -> str | None:
    """The code of a system message, or None for a text the app has no words of its own for (shown as stored)."""
    return CODES.get(body)
