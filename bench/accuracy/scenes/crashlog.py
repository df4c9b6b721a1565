"""Crash logs pasted or photographed by customers: Java, Python and Android stack traces."""

from __future__ import annotations

import random

from bench.accuracy.scenes.base import QA, Scene, ask
from bench.accuracy.scenes.common import Canvas, pick_theme

JAVA_EXC = [
    "NullPointerException",
    "IllegalStateException",
    "ArrayIndexOutOfBoundsException",
    "NumberFormatException",
    "ConcurrentModificationException",
    "ClassCastException",
]
JAVA_MESSAGES = (
    "Attempt to invoke a method on a null object",
    "Index 5 out of bounds for length 5",
    "Fragment not attached",
)
PY_EXC = ["KeyError", "TimeoutError", "ValueError", "ConnectionResetError", "ZeroDivisionError", "PermissionError"]
CLASSES = ["CartService", "PaymentGateway", "OrderFragment", "CheckoutActivity", "CouponManager", "AddressValidator"]
MODULES = ["gateway", "checkout", "coupons", "inventory", "shipping", "refunds"]
Q = {
    "exception": {
        "zh": ["报了什么异常？", "这是什么错误？", "崩溃的异常类型是什么"],
        "en": ["What exception was thrown?", "What error is this?", "Which exception caused the crash?"],
    },
    "class": {"zh": ["哪个类出的错？", "出错的类名是什么"], "en": ["Which class threw the error?"]},
    "file": {"zh": ["是哪个文件报的错？", "出错的文件名是什么"], "en": ["Which file raised the error?"]},
    "version": {
        "zh": ["App版本是多少？", "是哪个版本崩溃的？", "应用版本号是多少"],
        "en": ["Which app version crashed?", "What version is the app?"],
    },
    "package": {"zh": ["崩溃的包名是什么？"], "en": ["What is the package name of the crashed app?"]},
}


def _version(rng: random.Random) -> str:
    return f"{rng.randint(1, 9)}.{rng.randint(0, 19)}.{rng.randint(0, 9)}"


def render(rng: random.Random, doc_lang: str, q_lang: str, dark: bool) -> Scene:
    theme = pick_theme(rng, dark or rng.random() < 0.4)  # terminals and logcat are often dark
    size = rng.randint(16, 20)
    flavour = rng.choice(("java", "python", "android"))
    version = _version(rng)
    package = f"com.{rng.choice(('shopmall', 'quickbuy', 'dailydeal'))}.app"
    qas: list[QA] = []
    if flavour == "python":
        exc = rng.choice(PY_EXC)
        module = rng.choice(MODULES)
        fn = rng.choice(("charge", "apply", "reserve", "quote", "refund"))
        lines = [
            "Traceback (most recent call last):",
            f'  File "/srv/shop/{module}/views.py", line {rng.randint(20, 300)}, in handle',
            f"    result = {module}.{fn}(order_id, payload)",
            f'  File "/srv/shop/{module}/{fn}.py", line {rng.randint(20, 300)}, in {fn}',
            f"    value = data[{rng.choice(('key', 'name', 'amount'))!r}]",
            f"{exc}: {rng.choice(('card_token', 'upstream timed out', 'invalid literal', 'denied'))}",
            "",
            f"shop-backend {version} | Python 3.{rng.randint(9, 12)}.{rng.randint(0, 9)}",
        ]
        qas.append(QA(ask(rng, q_lang, Q["file"]), [f"{fn}.py"], "file"))
    else:
        exc = rng.choice(JAVA_EXC)
        cls = rng.choice(CLASSES)
        method = rng.choice(("onCreate", "onResume", "addItem", "submit", "validate"))
        pkg = package if flavour == "android" else "com.shopmall.server"
        head = (
            ["FATAL EXCEPTION: main", f"Process: {package}, PID: {rng.randint(1000, 32000)}"]
            if flavour == "android"
            else ['Exception in thread "main"']
        )
        lines = [
            *head,
            f"java.lang.{exc}: {rng.choice(JAVA_MESSAGES)}",
            f"    at {pkg}.{cls.lower()}.{cls}.{method}({cls}.java:{rng.randint(20, 400)})",
            f"    at {pkg}.ui.MainActivity.dispatch(MainActivity.java:{rng.randint(20, 400)})",
            f"    at android.os.Handler.handleCallback(Handler.java:{rng.randint(800, 990)})"
            if flavour == "android"
            else f"    at java.base/java.lang.Thread.run(Thread.java:{rng.randint(800, 990)})",
            "",
            f"versionName={version} versionCode={version.replace('.', '')}"
            if flavour == "android"
            else f"App version: {version}",
        ]
        qas.append(QA(ask(rng, q_lang, Q["class"]), [cls], "class"))
        if flavour == "android":
            qas.append(QA(ask(rng, q_lang, Q["package"]), [package], "package"))
    if doc_lang == "zh":
        lines = [rng.choice(("崩溃日志", "错误报告 - 请截图发给客服")), f"应用版本：{version}", "", *lines[:-2]]
    width = max(len(line) for line in lines) * size * 0.62 + 80
    c = Canvas(int(min(max(width, 760), 1280)), (len(lines) + 2) * (size + 12), theme, "wqy-mono")
    red = (255, 110, 110) if theme.dark else (190, 20, 20)
    for k, line in enumerate(lines):
        c.text((30, 24 + k * (size + 12)), line, size, fill=red if exc in line else None)
    qas += [
        QA(ask(rng, q_lang, Q["exception"]), [exc], "exception"),
        QA(ask(rng, q_lang, Q["version"]), [version], "version"),
    ]
    return Scene(c.image, qas, "screen")
