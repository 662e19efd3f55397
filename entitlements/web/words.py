"""What the web page says: refusals in the page's words, the year as a clerk types it, a job's
stage, the explanation set out for the page. No web framework here: plain functions, tested alone."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path


class WebError(Exception):
    """A refusal with the CLI's message and an HTTP status (400 bad request, 404 gone, 413 too large,
    422 a roster that cannot be read)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def lang_of(text: str | None) -> str:
    return "en" if text == "en" else "zh"


def internal(exc: BaseException) -> str:
    return f"内部错误，请把所用的文件和步骤告诉维护者 (internal error: {type(exc).__name__})"


CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def year_of(text: str | None) -> int:
    """A year as a clerk types it: 2025, ２０２５, 2025年 or 二〇二五年, within the engine's years;
    anything else is refused."""
    from entitlements.limits import check_year

    typed = unicodedata.normalize("NFKC", str(text or "")).strip().removesuffix("年").strip()
    digits = typed.translate(CHINESE_DIGITS)
    if not (digits.isascii() and digits.isdigit() and len(digits) == 4):
        raise WebError(f"预算年度应为四位数字，如 2025 (the year is four digits, such as 2025): {text!r}")
    try:
        return check_year(int(digits))
    except ValueError as exc:
        raise WebError(str(exc)) from None


def lines_of(values: list) -> list[str]:
    """Form fields that may each hold several lines (a text box without JavaScript): one item a line."""
    return [line.strip() for value in values for line in str(value).splitlines() if line.strip()]


FLAGS = {  # a refusal shown on the page names the field the clerk fills in, the CLI option beside it
    "standards": ("标准文件", "the standards file"), "count": ("计数", "counts"), "profile": ("地区口径", "region"),
    "set": ("改变标准", "change a standard"), "years": ("年度", "years"), "year": ("预算年度", "year"),
    "budget": ("项目预算", "programme budget"), "sheet": ("工作表", "worksheet"), "columns": ("列名对应", "column names"),
    "max-upload-mb": ("上传上限", "upload limit"),
}
_FLAG = re.compile(r"(?<![\w-])--(" + "|".join(sorted(FLAGS, key=len, reverse=True)) + r")\b")


FIELDS = {  # the engine's name of what a message is about, as its leading "roster: "
    "roster": ("花名册", "roster"), "id": ("花名册", "roster"), "columns": ("列名对应", "column names"),
    "counts": ("计数", "counts"), "year": ("预算年度", "year"), "standards": ("标准文件", "standards file"),
    "sheet": ("工作表", "worksheet"), "month": ("月份", "month"),
}
_FIELD = re.compile(r"^(" + "|".join(FIELDS) + r"): ")


def page_words(message: str, lang: str) -> str:
    """A CLI message as the page says it: "--count" becomes "计数（--count）", and a leading
    "roster: " the page's own word for it (花名册：)."""
    message = _FIELD.sub(lambda m: f"{FIELDS[m[1]][0]}：" if lang != "en" else f"{FIELDS[m[1]][1]}: ", message)
    return _FLAG.sub(lambda m: f"{FLAGS[m[1]][0]}（{m[0]}）" if lang != "en" else f"{FLAGS[m[1]][1]} ({m[0]})",
                     message)


def without_paths(message: str, names: dict[str, str], home: Path | None) -> str:
    """A message naming a saved upload names the clerk's file; no server path is ever shown."""
    for path, name in names.items():
        message = message.replace(path, name)
    return message.replace(f"{home}/", "").replace(str(home), "…") if home is not None else message


def safe_name(filename: str, fallback: str) -> str:
    """An upload's file name as a plain name to keep it under (letters, digits, Chinese, - _ . （）):
    a standards file is cited by its name, as the console cites the file it is given. Never a path:
    no separator survives, and a name of dots becomes ``fallback``."""
    name = Path(filename.replace("\\", "/")).name
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    stem = re.sub(r"[^\w\-（）()]+", "_", stem)[:60].strip("._") or fallback
    return stem + suffix


STAGES = {  # what the page shows while a job runs
    "queued": ("排队中…", "waiting…"),
    "reading": ("正在读取花名册…", "reading the roster…"),
    "computing": ("正在校验并计算{rows}…", "checking and computing{rows}…"),
    "summing": ("正在整理结果…", "preparing the result…"),
    "done": ("计算完成，正在打开结果…", "done, opening the result…"),
    "failed": ("无法计算", "cannot compute"),
}


def stage_words(stage: str, rows: int | None, lang: str) -> str:
    zh, en = STAGES[stage]
    if lang == "en":
        return en.format(rows="" if rows is None else f" {rows:,} rows")
    return zh.format(rows="" if rows is None else f" {rows:,} 行")


def fen_of(amount: str) -> int:
    """"1234.50" -> 123450 (the JSON's two-decimal amounts), for bar widths: integers, no float."""
    whole, _, cents = amount.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int((cents + "00")[:2]))


def signed_yuan(fen: int) -> str:
    """123450 -> "+1234.50": a difference in the JSON's two-decimal form, signed."""
    sign = "-" if fen < 0 else "+" if fen > 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def _trailing_citation(text: str) -> int:
    """Where a citation (〔…〕 or […], nested or not) that ends ``text`` begins, after a space or
    another citation; -1 if the line does not end with one. Only trailing ones: "[2025-01] 合计"
    starts with a date. Brackets must pair by kind."""
    pairs = {"〕": "〔", "]": "["}
    if not text or text[-1] not in pairs:
        return -1
    stack = []
    for i in range(len(text) - 1, -1, -1):
        if text[i] in pairs:
            stack.append(pairs[text[i]])
        elif text[i] in pairs.values():
            if not stack or stack.pop() != text[i]:
                return -1
            if not stack:
                return i if i > 0 and (text[i - 1].isspace() or text[i - 1] in pairs) else -1
    return -1


def explanation_lines(explanation: str | list[str]) -> list[dict]:
    """The console's explanation as the page shows it: each line with its indent, a heading where it
    ends with a colon, and its trailing citations (〔…〕, […]) apart, set smaller beside the figures."""
    lines = explanation.splitlines() if isinstance(explanation, str) else list(explanation)
    shown = []
    for line in lines:
        text, cites = line.strip(), []
        while (at := _trailing_citation(text)) > 0:
            cites.insert(0, text[at:])
            text = text[:at].rstrip()
        if text:
            shown.append({"indent": (len(line) - len(line.lstrip())) // 2, "text": text, "cites": cites,
                          "heading": text.endswith(("：", ":")) and not line.startswith(" ")})
    return shown
