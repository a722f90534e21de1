"""Factories for tests. They write rows directly (like fixtures do); the rules that services
enforce are tested against the services themselves."""

import datetime as dt
import hashlib

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from catalog.models import Distribution, Field, Organization, Product, Resource, Theme
from catalog.search.query import product_search_columns, resource_search_columns
from catalog.validators import uscc_check_char
from grading.models import Agreement, ConfirmedEmail, Grant, Membership, PlatformRole

PASSWORD = "pw-Portal-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")
    password = factory.django.Password(PASSWORD)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"测试机构{n}")
    name_en = factory.Sequence(lambda n: f"Test Agency {n}")
    kind = Organization.Kind.AGENCY


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    code = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"领域{n}")
    name_en = factory.Sequence(lambda n: f"Theme {n}")


class SearchIndexedFactory(factory.django.DjangoModelFactory):
    """Fills the search columns the way the services do, so factory rows are searchable."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        for name, value in cls._search_columns(obj).items():
            setattr(obj, name, value)
        obj.save()
        return obj


class ResourceFactory(SearchIndexedFactory):
    class Meta:
        model = Resource

    _search_columns = staticmethod(resource_search_columns)

    code = factory.Sequence(lambda n: f"TEST-{n:05d}")
    title = factory.Sequence(lambda n: f"测试数据资源{n}")
    abstract = "用于测试的数据资源摘要。"
    provider = factory.SubFactory(OrganizationFactory)
    theme = factory.SubFactory(ThemeFactory)
    format = "CSV"
    update_cycle = "monthly"
    modified = factory.Sequence(lambda n: dt.date(2026, 1, 1) + dt.timedelta(days=n % 300))
    tier = "open"
    grade = "L1"
    status = Resource.Status.PUBLISHED


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field

    resource = factory.SubFactory(ResourceFactory)
    name = factory.Sequence(lambda n: f"字段{n}")
    name_en = factory.Sequence(lambda n: f"field_{n}")
    data_type = Field.DataType.STRING
    grade = factory.LazyAttribute(lambda o: o.resource.grade)


CSV_BYTES = "区,数值\n浦东新区,42\n".encode()


class DistributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Distribution

    resource = factory.SubFactory(ResourceFactory)
    title = "数据文件（CSV）"
    kind = Distribution.Kind.FILE
    format = "CSV"
    media_type = "text/csv"
    file = factory.LazyFunction(lambda: ContentFile(CSV_BYTES, name="data.csv"))
    byte_size = len(CSV_BYTES)
    sha256 = hashlib.sha256(CSV_BYTES).hexdigest()


class ProductFactory(SearchIndexedFactory):
    class Meta:
        model = Product

    _search_columns = staticmethod(product_search_columns)

    code = factory.Sequence(lambda n: f"P-T{n:04d}")
    name = factory.Sequence(lambda n: f"测试数据产品{n}")
    product_type = Product.Type.DATA_SERVICE
    provider = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.ENTERPRISE)
    scenarios = ["国土空间规划"]
    delivery = Product.Delivery.API
    update_frequency = "monthly"
    purpose = Product.Purpose.PUBLIC_INTEREST
    price_terms = "免费"
    status = Product.Status.LISTED
    listed_at = factory.LazyFunction(timezone.now)


def membership(user, organization, role=Membership.Role.EDITOR):
    return Membership.objects.create(user=user, organization=organization, role=role)


def verify(*organizations):
    """Mark enterprises as checked by the platform (as ``grading.accounts.enterprise_verify``)."""
    for organization in organizations:
        organization.verified_at = timezone.now()
        organization.save(update_fields=["verified_at"])


def confirm_email(user):
    """Record ``user``'s e-mail address as confirmed (a verified individual applicant)."""
    return ConfirmedEmail.objects.create(user=user, email=user.email, confirmed_at=timezone.now())


def platform_role(user, role):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return PlatformRole.objects.create(user=user, role=role)


def grant(user, resources, *, download=True, query=True, days=30, status=Grant.Status.ACTIVE):
    now = timezone.now()
    row = Grant.objects.create(
        grantee=user,
        allow_download=download,
        allow_query=query,
        valid_from=now - dt.timedelta(days=1),
        valid_until=now + dt.timedelta(days=days),
        status=status,
    )
    row.resources.set(resources)
    return row


def agreement(operator, resources, *, days=365, status=Agreement.Status.ACTIVE):
    now = timezone.now()
    row = Agreement.objects.create(
        operator=operator,
        purposes="城市治理",
        fee_cap="100000.00",
        valid_from=now - dt.timedelta(days=1),
        valid_until=now + dt.timedelta(days=days),
        status=status,
    )
    row.resources.set(resources)
    return row


# Request bodies shared by the account and application tests

SIGNUP_PASSWORD = "Kq7-portal-Reg-2026"


def credit_code(n: int) -> str:
    """A valid unified social credit code, distinct for each ``n``."""
    body = f"91310000MA{n:07d}"
    return body + uscc_check_char(body)


def individual_signup(**extra) -> dict:
    """The individual registration form, filled in."""
    data = {
        "username": "zhang_san",
        "email": "zhang.san@example.cn",
        "password1": SIGNUP_PASSWORD,
        "password2": SIGNUP_PASSWORD,
    }
    return {**data, **extra}


def enterprise_signup(**extra) -> dict:
    """The enterprise registration form, filled in."""
    data = {
        **individual_signup(username="qiye_admin", email="admin@qiye.example.cn"),
        "organization_name": "上海示例数据科技有限公司",
        "credit_code": credit_code(1),
    }
    return {**data, **extra}


def application_payload(resource, **extra) -> dict:
    """An application for ``resource`` through the API, filled in."""
    return {
        "resources": [resource.pk],
        "purpose": "城市交通规划研究",
        "scenario": "拥堵治理方案评估",
        "want_download": True,
        "want_query": True,
        "term_days": 90,
        "undertaking_accepted": True,
        **extra,
    }


def operation_data(**extra) -> dict:
    """An application for authorized operation, filled in (services and API)."""
    return {
        "purposes": "城市交通治理数据服务",
        "scenarios": "拥堵指数产品",
        "security_measures": "专网隔离，最小权限，操作留痕",
        "term_months": 24,
        "proposed_fees": "按调用量计费",
        "proposed_fee_cap": "50000.00",
        "undertaking_accepted": True,
        **extra,
    }


# Authorized operation: applications in the queues, complaints, usage (operation_work tests)


def operation_application(applicant, user, *, status="submitted", due_on=None, part_due=None):
    """An authorized-operation application of ``applicant`` in ``status``; with ``part_due``,
    one pending agency part due that day."""
    from grading.models import OperationApplication, OperationScopePart

    row = OperationApplication.objects.create(
        applicant=applicant,
        submitted_by=user,
        purposes="城市治理",
        scenarios="交通评估",
        security_measures="隔离环境",
        term_months=12,
        status=status,
        due_on=due_on,
    )
    if part_due is not None:
        agency = OrganizationFactory()
        OperationScopePart.objects.create(application=row, agency=agency, due_on=part_due)
    return row


def complaint(resource, *, status="open", due_on=None, title="权益申诉", created_at=None):
    """A rights complaint about ``resource`` addressed to its provider."""
    from grading.models import Feedback

    row = Feedback.objects.create(
        kind=Feedback.Kind.COMPLAINT,
        status=status,
        resource=resource,
        agency=resource.provider,
        title=title,
        text="个人信息被公开",
        due_on=due_on,
    )
    if created_at is not None:
        Feedback.objects.filter(pk=row.pk).update(created_at=created_at)
    return row


def usage(agreement, resource, *, month, queries=1, rows=10):
    """Usage already counted under ``agreement`` for ``resource`` in ``month``."""
    from grading.models import AgreementUsage

    return AgreementUsage.objects.create(
        agreement=agreement, resource=resource, month=month, queries=queries, rows=rows
    )


# Requests for data products and the showcase of applications built on open data


def request_data(**extra) -> dict:
    """A request for a data product, filled in (the form's and the API's fields)."""
    data = {
        "purpose": "城市更新项目的选址分析",
        "scenario": "规划方案比选",
        "contact_name": "李明",
        "contact_phone": "021-12345678",
        "contact_email": "li.ming@qiye.example.cn",
        "quantity": 1,
        "unit": "年",
    }
    return {**data, **extra}


def product_request(requester, product, **extra):
    """A submitted request for ``product`` by ``requester``, through the service."""
    from grading.requests.services import request_create

    return request_create(actor=requester, product=product, data=request_data(**extra))


def showcase(submitter, sources, *, status="submitted", **extra):
    """A showcase of ``submitter`` using ``sources``, in ``status``."""
    from grading.models import Showcase

    row = Showcase.objects.create(
        title=extra.pop("title", "城市通勤地图"),
        description=extra.pop("description", "基于公开交通数据的通勤时间地图。"),
        url=extra.pop("url", "https://example.cn/commute"),
        submitter=submitter,
        status=status,
        listed_at=timezone.now() if status == "listed" else None,
        **extra,
    )
    row.sources.set(sources)
    return row


# Cross-border data flow -----------------------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def crossborder_clearance(
    actor,
    *,
    scenario="international_trade",
    category="trade_documents",
    resource=None,
    status="active",
):
    from grading.models import CrossBorderClearance

    return CrossBorderClearance.objects.create(
        scenario=scenario,
        category=category,
        resource=resource,
        conditions="仅限贸易合同履行所需",
        conditions_en="Only as the trade contract requires",
        cleared_by=actor,
        status=status,
    )


def assessment_data(**extra) -> dict:
    data = {
        "scenario": "international_trade",
        "categories": ["trade_documents"],
        "record_count": 5000,
        "recipient": "Example Trading Pte. Ltd.",
        "recipient_country": "SG",
        "purpose": "履行国际货物买卖合同",
        "security_measures": "传输加密、访问控制、最小必要",
        "pi_count": 0,
        "sensitive_pi_count": 0,
        "cii_operator": False,
        "important_data": False,
    }
    data.update(extra)
    return data


def evidence_file(name="evidence.pdf", content=PDF_BYTES):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


# Data merchants (数商)


def merchant(organization, *, status="verified", categories=("data_resource",), user=None):
    """A data merchant registration of ``organization`` in ``status`` (rows written directly,
    as the other factories do), with a PDF as its evidence."""
    from grading.models import DataMerchant, MerchantCategoryChoice

    submitter = user or UserFactory()
    row = DataMerchant(
        organization=organization,
        description="专注地理信息数据产品",
        services="遥感影像处理、数据合规咨询",
        contact_name="王经理",
        contact_email="contact@merchant.example.cn",
        status=status,
        submitted_by=submitter,
        verified_at=timezone.now() if status == "verified" else None,
    )
    row.evidence.save("licence.pdf", ContentFile(PDF_BYTES), save=False)
    row.save()
    for category in categories:
        MerchantCategoryChoice.objects.create(merchant=row, category=category)
    return row
