"""Field labels: a zh↔en synonym table and fuzzy label matching.

Why a table and n-grams rather than embeddings: a customer says "运单号" where the page prints
"快递单号", or "total" where a receipt prints "GRAND TOTAL (RM)"; a small curated table plus
character n-gram similarity covers these in microseconds, with no model to ship.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from rapidfuzz import fuzz

# canonical field → aliases (zh and en); the first alias names the field in answers
SYNONYMS: dict[str, tuple[str, ...]] = {
    "order_no": (
        "订单号",
        "订单编号",
        "订单号码",
        "订单ID",
        "order number",
        "order no",
        "order id",
        "order #",
        "order",
    ),
    "tracking_no": (
        "运单号",
        "快递单号",
        "物流单号",
        "运单编号",
        "快递单号码",
        "物流编号",
        "tracking number",
        "tracking no",
        "tracking",
        "waybill",
        "waybill number",
        "awb",
    ),
    "invoice_code": ("发票代码", "invoice code", "代码"),
    "file": ("文件", "哪个文件", "file", "file name", "filename", "script"),
    "class": ("类名", "哪个类", "类", "class", "class name", "activity"),
    "package": ("包名", "package", "package name", "bundle id", "application id"),
    "invoice_no": ("发票号码", "发票号", "invoice number", "invoice no", "receipt no", "bill no", "单号"),
    "total": (
        "合计",
        "总计",
        "总额",
        "总金额",
        "总价",
        "实付",
        "实付金额",
        "实付款",
        "应付",
        "应付金额",
        "价税合计",
        "一共",
        "总共",
        "付了多少",
        "多少钱",
        "金额",
        "total",
        "grand total",
        "total amount",
        "amount due",
        "amount paid",
        "net total",
        "total (rm)",
        "total rm",
        "rounded total",
        "total incl",
        "paid",
        "amount",
        "how much",
        "order total",
        "payment amount",
        "支付金额",
        "付款金额",
    ),
    "order_date": (
        "下单时间",
        "下单日期",
        "订购日期",
        "什么时候下的单",
        "order placed",
        "placed",
        "order date",
        "ordered",
        "date did i order",
        "purchase date",
        "创建时间",
        "下的单",
        "下单",
    ),
    "subtotal": (
        "小计",
        "不含税金额",
        "金额（不含税）",
        "税前金额",
        "subtotal",
        "sub total",
        "sub-total",
        "before tax",
        "excl tax",
        "net amount",
    ),
    "tax": ("税额", "税", "交了多少税", "多少税", "tax", "gst", "sst", "vat"),
    "discount": ("优惠", "折扣", "discount"),
    "shipping_fee": ("运费", "邮费", "shipping", "shipping fee", "delivery fee", "postage"),
    "date": (
        "日期",
        "时间",
        "下单时间",
        "购买日期",
        "交易时间",
        "支付时间",
        "date",
        "time",
        "purchase date",
        "order date",
        "when",
        "哪一天",
        "哪天",
        "几号",
        "什么时候",
        "what day",
        "which day",
    ),
    "invoice_date": ("开票日期", "开票时间", "invoice date", "date of issue", "issue date", "billing date", "issued"),
    "due_date": ("到期日", "付款期限", "截止日期", "due date", "payment due", "due"),
    "ship_date": (
        "发货日期",
        "发货时间",
        "什么时候发货",
        "何时发货",
        "ship date",
        "shipping date",
        "dispatch date",
        "ship",
        "ships",
        "预计发货",
        "发货",
    ),
    "production_date": ("生产日期", "production date", "manufacture date", "mfg date", "mfd"),
    "expiry": ("保质期", "有效期", "有效期至", "到期日", "expiry", "expiry date", "expiration", "best before", "exp"),
    "price": ("单价", "价格", "售价", "price", "unit price", "cost"),
    "quantity": ("数量", "件数", "qty", "quantity", "count"),
    "stock": (
        "库存",
        "存货",
        "有货",
        "还剩",
        "剩几",
        "剩多少",
        "几件",
        "stock",
        "in stock",
        "inventory",
        "available",
        "left",
    ),
    "model": ("型号", "产品型号", "规格型号", "model", "model no", "model number", "type"),
    "serial": ("序列号", "序号", "SN码", "机身号", "sn", "s/n", "serial", "serial no", "serial number"),
    "error_code": (
        "错误码",
        "错误代码",
        "报错代码",
        "错误代号",
        "故障代码",
        "故障码",
        "代码",
        "error code",
        "error",
        "code",
    ),
    "version": ("版本", "版本号", "version", "app version", "build"),
    "store": (
        "店名",
        "商店",
        "商家",
        "店铺",
        "商户",
        "商户名称",
        "门店",
        "公司",
        "store",
        "shop",
        "merchant",
        "company",
        "seller",
        "store name",
        "shop name",
        "哪家店",
        "哪个店",
        "什么店",
        "在哪买",
        "哪里买",
        "哪家",
    ),
    "phone": ("电话", "手机", "联系电话", "手机号", "phone", "tel", "telephone", "mobile"),
    "address": ("地址", "收货地址", "address", "shipping address"),
    "name": ("姓名", "名字", "收货人", "name", "recipient", "consignee"),
    "product_name": ("产品名称", "商品名称", "品名", "商品", "product", "product name", "item", "item name"),
    "net_content": (
        "净含量",
        "净重",
        "容量",
        "多重",
        "net weight",
        "net content",
        "net wt",
        "volume",
        "heavy",
        "how heavy",
        "weigh",
    ),
    "status": (
        "状态",
        "订单状态",
        "物流状态",
        "到哪一步",
        "哪一步",
        "进度",
        "什么状态",
        "status",
        "order status",
        "progress",
    ),
    "payment_method": (
        "支付方式",
        "付款方式",
        "怎么付",
        "payment method",
        "paid by",
        "payment",
        "how was this paid",
        "paid with",
        "pay by",
        "payment type",
        "什么方式付",
        "方式付",
        "用什么付",
        "付的款",
        "结算方式",
    ),
    "carrier": (
        "快递公司",
        "物流公司",
        "承运商",
        "快递",
        "哪家快递",
        "哪个快递",
        "什么快递",
        "carrier",
        "courier",
        "shipping company",
        "shipping carrier",
        "delivery company",
        "shipped with",
        "shipped by",
        "logistics",
    ),
    "limit": (
        "限额",
        "单笔限额",
        "额度",
        "单笔支付限额",
        "上限",
        "最多能付",
        "最多可以付",
        "最多付",
        "limit",
        "card limit",
        "single payment limit",
        "maximum payment",
    ),
    "capacity": ("容量", "额定容量", "风量", "capacity", "airflow", "rated capacity"),
    "frequency": ("频率", "额定频率", "frequency", "hz"),
    "voltage": ("电压", "额定电压", "多少伏", "伏", "voltage", "volts", "rated voltage"),
    "current": ("电流", "额定电流", "current", "amps", "rated current"),
    "sku": ("SKU", "货号", "商品编码", "编码", "sku", "item code", "part number", "pn"),
    "range": ("参考范围", "正常范围", "参考值", "范围", "reference range", "normal range", "range", "ref range"),
    "unit": ("单位", "unit", "units"),
    "result": ("结果", "检测结果", "数值", "result", "value"),
    "title": ("标题", "题目", "title", "heading", "caption"),
    "weight": ("重量", "净重", "多重", "weight", "net weight", "net wt", "heavy", "how heavy"),
    "input": ("输入", "额定输入", "电源", "input", "power input", "rated input", "voltage"),
    "power": ("功率", "额定功率", "瓦数", "多少瓦", "power", "rated power", "wattage", "watts", "watt"),
}

# facts kinds (perception.extras["facts"]) that answer a field when no label is printed
FIELD_FACTS: dict[str, tuple[str, ...]] = {
    "tracking_no": ("tracking", "long_number"),
    "order_no": ("long_number",),
    "total": ("money",),
    "date": ("date",),
    "order_date": ("date",),
    "invoice_date": ("date",),
    "due_date": ("date",),
    "ship_date": ("date",),
    "production_date": ("date",),
    "error_code": ("error_code", "http_status"),
    "version": ("version",),
    "model": ("model",),
}

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


@cache
def normalise(text: str) -> str:
    """NFKC, case-folded, without spaces and punctuation: '订单编号：' → '订单编号', 'Order No.' → 'orderno'."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).casefold().translate(_VARIANTS))


_ZERO_IN_WORD = re.compile(r"(?<=[a-z])0|0(?=[a-z]{2})")


def similarity(a: str, b: str) -> float:
    """0..1 likeness of two labels: exact, containment, then character n-gram overlap."""
    # In a label a zero touching letters is the letter O misread ('0rder #'); values are not labels.
    na, nb = (_ZERO_IN_WORD.sub("o", normalise(x)) for x in (a, b))
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    short, long_ = sorted((na, nb), key=len)
    if len(short) >= 2 and short in long_:
        return 0.75 + 0.2 * len(short) / len(long_)
    if len(na) == len(nb) >= 3 and sum(x != y for x, y in zip(na, nb, strict=True)) == 1:
        return 0.8  # one misread character in a label of three or more
    return 0.8 * fuzz.ratio(na, nb) / 100


def fields_in(text: str) -> list[str]:
    """Canonical fields named in `text`, best (longest alias) first."""
    norm = normalise(text)
    spaced = " " + " ".join(_PUNCT.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split()) + " "
    hits: dict[str, int] = {}
    for field, aliases in SYNONYMS.items():
        for alias in aliases:
            key = normalise(alias)
            if not key:
                continue
            if alias.isascii():  # English aliases match whole words: 'tel' is not inside 'hotel'
                words = " ".join(_PUNCT.sub(" ", alias.casefold()).split())
                found = re.search(rf"(?<![a-z]){re.escape(words)}s?(?![a-z])", spaced) is not None
            else:
                found = key in norm
            if found:
                hits[field] = max(hits.get(field, 0), 0 if key in _GENERIC else len(key))
    # A generic word ("amount", "金额") names a field only when nothing more specific is named:
    # "tax amount" is the tax, "order amount" the order total.
    return sorted(hits, key=lambda f: -hits[f])


_GENERIC = {  # question words that name a kind of value, not a field: a specific field named beside them wins
    "amount", "金额", "数额", "value", "数值", "howmuch",
    "when", "whatday", "whichday", "什么时候", "哪天", "哪一天", "几号",
}  # fmt: skip


_VARIANTS = str.maketrans(
    {"稅": "税", "凈": "净", "後": "后", "單": "单", "號": "号", "碼": "码", "額": "额", "購": "购"}
)


_ZERO_AS_O = re.compile(r"\b0(?=[a-z]{2})|(?<=[A-Za-z])0(?=[A-Za-z])")


def display_label(label: str, lang: str) -> str:
    """The printed label, or the field's name in the answer's language when the label is in the other one."""
    label = _ZERO_AS_O.sub(lambda m: "O" if m.start() == 0 or label[m.start() - 1] == " " else "o", label)
    if not label or label.isascii() == (lang == "en"):
        return label
    best, best_score = None, 0.0
    for field, aliases in SYNONYMS.items():
        for alias in aliases:
            score = similarity(label, alias)
            if score > best_score:
                best, best_score = field, score
    if best is None or best_score < 0.95:
        return label
    wanted = next((a for a in SYNONYMS[best] if a.isascii() == (lang == "en")), None)
    if wanted is None:
        return label
    return f"{wanted}（{label}）" if lang == "zh" else f"{wanted} ({label})"


def label_score(label: str, target: str, fields: list[str]) -> float:
    """How well a printed label answers a question about `target` (or any of the named fields)."""
    best = similarity(label, target) if target else 0.0
    for rank, field in enumerate(fields[:3]):
        penalty = 0.15 * rank
        for alias in SYNONYMS[field]:
            best = max(best, similarity(label, alias) - penalty)
    return best
