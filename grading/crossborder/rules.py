"""The self-assessment's rules engine: pure functions, no database, one function per rule.

An enterprise describes one planned transfer (``Transfer``); ``assess`` runs the rules from
the strictest down and returns the first that applies (就高从严: the stricter result wins):

1. ``negative_list``: a category on the negative list → security assessment;
2. ``important_data``: important data → security assessment;
3. ``cii_personal_information``: a critical-information-infrastructure operator sending
   personal information → security assessment;
4. ``sensitive_pi_assessment`` / ``pi_assessment``: ≥ 10,000 individuals' sensitive personal
   information, or ≥ 1,000,000 individuals' personal information → security assessment;
5. ``sensitive_pi_contract`` / ``pi_contract``: 1–9,999 individuals' sensitive personal
   information, or 100,000–999,999 individuals' personal information → filing (standard
   contract filing or certification);
6. ``general_list``: every category cleared for the scenario → allowed under the general list;
7. ``not_listed``: otherwise → filing (存证) of the transfer.

The thresholds are those of the 2024 《促进和规范数据跨境流动规定》 (CAC, 22 March 2024),
Articles 5, 7 and 8, which the Lingang plan does not quote: it cites the Data Security Law,
the Personal Information Protection Law and the Shanghai Data Regulation (seed 003 §三(一)),
asks for "分类管理+存证传输" with "自评估、事中存证传输和事后监管抽查" (§15) and a low-risk
catalogue (《上海市数据条例》, quoted in §一(一)). Personal-information counts are individuals,
cumulated since 1 January of the current year, as the 2024 rules count them; "以上" includes
the number named and "不满" excludes it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

GENERAL_LIST = "general_list"
FILING = "filing"
SECURITY_ASSESSMENT = "security_assessment"
RESULTS = (GENERAL_LIST, FILING, SECURITY_ASSESSMENT)

PI_CONTRACT_FROM = 100_000  # Art. 8: 10万人以上 (and Art. 5: 不满10万人 is exempt)
PI_ASSESSMENT_FROM = 1_000_000  # Art. 7: 100万人以上
SENSITIVE_ASSESSMENT_FROM = 10_000  # Art. 7: 1万人以上敏感个人信息
SENSITIVE_CONTRACT_FROM = 1  # Art. 8: 不满1万人敏感个人信息


@dataclass(frozen=True)
class Transfer:
    """What the rules read about one planned transfer."""

    categories: frozenset[str]
    cleared: frozenset[str]  # the categories cleared for the transfer's scenario
    negative: frozenset[str]  # the categories on the negative list
    pi_count: int = 0  # individuals, personal information without sensitive information
    sensitive_pi_count: int = 0  # individuals, sensitive personal information
    cii_operator: bool = False
    important_data: bool = False


@dataclass(frozen=True)
class Outcome:
    """The result of the assessment and the rule that decided it."""

    result: str
    rule: str


def negative_list(t: Transfer) -> Outcome | None:
    """A category on the negative list is never sent under the general list: it needs the
    security assessment. Source: seed 003 专栏5 (金融数据流动负面清单) and 专栏8; the 2024
    《促进和规范数据跨境流动规定》 Art. 6 (data outside a free-trade zone's negative list is
    exempt, data on it is not)."""
    if t.categories & t.negative:
        return Outcome(SECURITY_ASSESSMENT, "negative_list")
    return None


def important_data(t: Transfer) -> Outcome | None:
    """Important data goes abroad only after a security assessment. Source: 《数据安全法》
    Art. 31; 2024 规定 Art. 7(1)-(2)."""
    return Outcome(SECURITY_ASSESSMENT, "important_data") if t.important_data else None


def cii_personal_information(t: Transfer) -> Outcome | None:
    """A critical-information-infrastructure operator sending any personal information needs a
    security assessment. Source: 《个人信息保护法》 Art. 40; 2024 规定 Art. 7(1)."""
    if t.cii_operator and (t.pi_count > 0 or t.sensitive_pi_count > 0):
        return Outcome(SECURITY_ASSESSMENT, "cii_personal_information")
    return None


def sensitive_pi_assessment(t: Transfer) -> Outcome | None:
    """Sensitive personal information of 10,000 individuals or more (1万人以上) since 1 January
    needs a security assessment. Source: 2024 规定 Art. 7(2)."""
    if t.sensitive_pi_count >= SENSITIVE_ASSESSMENT_FROM:
        return Outcome(SECURITY_ASSESSMENT, "sensitive_pi_assessment")
    return None


def pi_assessment(t: Transfer) -> Outcome | None:
    """Personal information (sensitive information aside) of 1,000,000 individuals or more
    (100万人以上) since 1 January needs a security assessment. Source: 2024 规定 Art. 7(2)."""
    if t.pi_count >= PI_ASSESSMENT_FROM:
        return Outcome(SECURITY_ASSESSMENT, "pi_assessment")
    return None


def sensitive_pi_contract(t: Transfer) -> Outcome | None:
    """Sensitive personal information of fewer than 10,000 individuals (不满1万人), at least
    one, needs the standard contract (filed) or certification. Source: 2024 规定 Art. 8."""
    if SENSITIVE_CONTRACT_FROM <= t.sensitive_pi_count < SENSITIVE_ASSESSMENT_FROM:
        return Outcome(FILING, "sensitive_pi_contract")
    return None


def pi_contract(t: Transfer) -> Outcome | None:
    """Personal information of 100,000 to 999,999 individuals (10万人以上、不满100万人) needs
    the standard contract (filed) or certification; fewer than 100,000 is exempt (Art. 5).
    Source: 2024 规定 Arts. 5 and 8."""
    if PI_CONTRACT_FROM <= t.pi_count < PI_ASSESSMENT_FROM:
        return Outcome(FILING, "pi_contract")
    return None


def general_list(t: Transfer) -> Outcome | None:
    """Every category cleared by the platform for the transfer's scenario: the transfer may go
    under the low-risk general data list (一般数据清单). Source: seed 003 §一(一), quoting
    《上海市数据条例》 ("探索制定低风险跨境流动数据目录"), and §15 (分类管理)."""
    if t.categories and t.categories <= t.cleared:
        return Outcome(GENERAL_LIST, "general_list")
    return None


def not_listed(t: Transfer) -> Outcome:
    """Anything else is transferred with filing and evidence (存证传输). Source: seed 003 §15
    ("建立完善以'分类管理+存证传输'为基础的安全管理机制", "事中存证传输")."""
    return Outcome(FILING, "not_listed")


RULES: tuple[Callable[[Transfer], Outcome | None], ...] = (
    negative_list,
    important_data,
    cii_personal_information,
    sensitive_pi_assessment,
    pi_assessment,
    sensitive_pi_contract,
    pi_contract,
    general_list,
)


def assess(t: Transfer) -> Outcome:
    """Run the rules from the strictest down; the first that applies decides."""
    for rule in RULES:
        outcome = rule(t)
        if outcome is not None:
            return outcome
    return not_listed(t)


def transfer(
    *,
    categories: Collection[str],
    cleared: Collection[str],
    negative: Collection[str],
    **counts,
) -> Transfer:
    """Build a ``Transfer`` from plain collections (counts and flags as keywords)."""
    return Transfer(frozenset(categories), frozenset(cleared), frozenset(negative), **counts)
