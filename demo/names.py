"""Chinese names for invented people and companies, drawn from lists written for the demo.

Surnames follow their rough frequency in the lower Yangtze region (顾, 陆, 季, 施 and 缪 are
commoner around Nantong than nationally); given names take one or two characters.
"""

from __future__ import annotations

import random

SURNAMES = (
    "王张陈李刘徐朱顾周吴陆黄杨孙钱沈季施曹蒋袁许缪范冯丁秦葛倪邱戴花瞿"
    "仇姜崔高何胡郭林罗郑梁宋唐韩邓彭曾肖田董潘于蔡余杜叶程苏魏吕任姚卢"
)
"""Ordered from common to rare: the draw favours the front of the string."""

GIVEN_MALE = "建国华明伟军勇杰涛斌强磊峰刚平辉健俊鹏飞宇浩志海波文兵龙新春东晓林亮"
GIVEN_FEMALE = "秀英华芳敏静丽娟艳霞玲燕红梅兰琴萍婷雪洁慧颖倩琳丹云凤佳月晓"

COMPANY_PLACES = (
    "江海", "通达", "恒丰", "华联", "金濠", "紫琅", "崇文", "瑞祥", "东方", "鸿运",
    "天成", "永盛", "锦程", "宏达", "新港", "安泰", "嘉禾", "富民", "凯旋", "明珠",
)  # fmt: skip
COMPANY_TRADES = (
    "纺织", "家纺", "建工", "物流", "电子", "船舶", "医药", "机械", "食品", "服装",
    "商贸", "置业", "装饰", "汽车销售", "餐饮管理", "信息科技", "建材", "印染",
)  # fmt: skip


class NameMaker:
    """Names from one random stream, so the same seed gives the same people."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def surname(self) -> str:
        # A triangular draw: the front of SURNAMES (the common ones) comes up most.
        index = int(self.rng.triangular(0, len(SURNAMES), 0))
        return SURNAMES[min(index, len(SURNAMES) - 1)]

    def person(self) -> str:
        pool = GIVEN_MALE if self.rng.random() < 0.5 else GIVEN_FEMALE
        length = 2 if self.rng.random() < 0.78 else 1
        return self.surname() + "".join(self.rng.choice(pool) for _ in range(length))

    def company(self, trade: str | None = None) -> str:
        place = self.rng.choice(COMPANY_PLACES)
        return f"南通{place}{trade or self.rng.choice(COMPANY_TRADES)}有限公司"

    def phone(self) -> str:
        """An eleven-digit mobile number, as people give them at intake."""
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"
