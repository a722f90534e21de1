"""The vocabulary of cross-border data flow: scenarios, data categories and the negative list.

A small table in code rather than rows made by a data migration, because:

- the negative list is a *rule*, not data: whether a category may ever be cleared must not
  depend on a row someone can edit in the admin; changing it is a reviewed code change, like
  every other rule of the rule-book;
- codes are what the database stores (clearances, assessments), so a name can be corrected or
  translated without a migration, and tests and the policy read the same table;
- both names, Chinese and English, sit beside each code, and ``label()`` picks the one of the
  active language.

Sources: the scenarios are those the Lingang plan (seed 003) names for cross-border pilots
(§15 "推动金融理财、工业互联网、航运物流、跨境电商、医疗等重点行业领域
数据跨境安全有序流动场景化试点";
专栏6 "跨境电商、航运物流、金融服务、国际咨询、文化创新"); the low-risk categories come from its
专栏7 and 专栏8 (离岸贸易、跨境物流、跨境电商、装备制造数据; drug research data "未涉及人口健康");
the negative list from 专栏5 ("金融数据流动负面清单制度研究") and 专栏8 (population health data
stays out of the simplified path), completed with national rules named on each item.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language


@dataclass(frozen=True)
class Term:
    """One code of the vocabulary with its Chinese and English names."""

    code: str
    zh: str
    en: str
    negative: bool = False  # on the negative list: never cleared for the general list
    personal: bool = False  # holds personal information (counts go into the assessment)
    source: str = ""  # where the item comes from (the seed or a national rule)

    @property
    def name(self) -> str:
        """The name in the active language (Chinese by default)."""
        return self.en if (get_language() or "").startswith("en") else self.zh


SCENARIOS: dict[str, Term] = {
    t.code: t
    for t in [
        Term("international_trade", "国际贸易", "International trade", source="seed 003 §15"),
        Term("cross_border_logistics", "跨境物流与航运", "Cross-border logistics and shipping"),
        Term("cross_border_finance", "跨境金融服务", "Cross-border financial services"),
        Term("cross_border_ecommerce", "跨境电商", "Cross-border e-commerce"),
        Term(
            "industrial_internet", "工业互联网与智能制造", "Industrial internet and manufacturing"
        ),
        Term("drug_research", "国际药物研发合作", "International drug research"),
        Term("international_consulting", "国际咨询", "International consulting"),
        Term("cultural_creative", "文化创新", "Cultural and creative industries"),
    ]
}

_SEED = "seed 003"
CATEGORIES: dict[str, Term] = {
    t.code: t
    for t in [
        Term(
            "trade_documents",
            "贸易单证信息(仓单、提单、船运)",
            "Trade documents (warehouse receipts, bills of lading, shipping)",
            source=f"{_SEED} 专栏7 离岸贸易数据",
        ),
        Term(
            "logistics_tracking",
            "物流状态与跟踪信息",
            "Logistics status and tracking",
            source=f"{_SEED} 专栏7 跨境物流数据",
        ),
        Term(
            "product_catalogue",
            "商品目录与质量追溯信息",
            "Product catalogues and quality traceability",
            source=f"{_SEED} 专栏7 跨境电商数据",
        ),
        Term(
            "manufacturing_operations",
            "装备制造研发与运维数据",
            "Equipment design, production and maintenance data",
            source=f"{_SEED} 专栏7 装备制造行业数据",
        ),
        Term(
            "drug_research",
            "未涉及人口健康的药物研发数据",
            "Drug research data not involving population health",
            source=f"{_SEED} 专栏8 医疗数据",
        ),
        Term(
            "enterprise_public_credit",
            "企业公开信用信息",
            "Enterprises' public credit information",
            source=f"{_SEED} 专栏9 信用数据",
        ),
        Term(
            "business_contacts",
            "商务联系人信息",
            "Business contact details",
            personal=True,
            source="《个人信息保护法》第38条",
        ),
        Term(
            "customer_orders",
            "跨境电商客户订单信息",
            "Cross-border e-commerce customer orders",
            personal=True,
            source=f"{_SEED} 专栏7 跨境电商数据",
        ),
        Term(
            "personal_financial_accounts",
            "个人金融账户及交易明细",
            "Personal financial accounts and transaction details",
            negative=True,
            personal=True,
            source=f"{_SEED} 专栏5 金融数据流动负面清单",
        ),
        Term(
            "personal_credit_reports",
            "个人征信信息",
            "Personal credit reports",
            negative=True,
            personal=True,
            source=f"{_SEED} 专栏5 金融数据流动负面清单; 《征信业管理条例》第24条",
        ),
        Term(
            "population_health",
            "人口健康信息",
            "Population health data",
            negative=True,
            personal=True,
            source=f"{_SEED} 专栏8 (只有未涉及人口健康的研发数据简化评估)",
        ),
        Term(
            "surveying_mapping",
            "测绘地理信息(高精度地图)",
            "Surveying and mapping data (high-precision maps)",
            negative=True,
            source="《测绘法》第34条; 《汽车数据安全管理若干规定》第3条",
        ),
        Term(
            "vehicle_exterior_data",
            "汽车数据:车外人脸、车牌等图像",
            "Vehicle data: images of faces and number plates outside the car",
            negative=True,
            personal=True,
            source="《汽车数据安全管理若干规定》第3条(重要数据)",
        ),
    ]
}


def scenario(code: str) -> Term | None:
    """The scenario of ``code``, or None for an unknown code."""
    return SCENARIOS.get(code)


def category(code: str) -> Term | None:
    """The data category of ``code``, or None for an unknown code."""
    return CATEGORIES.get(code)


def label(code: str) -> str:
    """The name of a scenario or category in the active language (the code if unknown)."""
    term = SCENARIOS.get(code) or CATEGORIES.get(code)
    return term.name if term else code


def negative_codes() -> frozenset[str]:
    """The codes of the categories on the negative list."""
    return frozenset(code for code, term in CATEGORIES.items() if term.negative)
