"""A deterministic corpus of the genre for benchmarks: speeches, study-session remarks, experience reports,
party lessons, work reports — titled, saluted, outlined (一、 （一）), closed, often with a member-only part.

Words follow a Zipf-like law: the genre's recurring phrases take the head, generated two- to four-character
words the long tail, so that both very frequent and very rare strings exist, as in a real library.

    .venv/bin/python bench/corpus.py --chars 9000000 --out DIR     # one .txt per document (paid markers)
    from corpus import generate; docs = list(generate(9_000_000))  # sucai Documents, in memory
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import random
from collections.abc import Iterator
from pathlib import Path

from sucai.model import Block, Document

SEED = 20240501
PHRASES = """
习近平新时代中国特色社会主义思想 主题教育 以学铸魂 以学增智 以学正风 以学促干 学思想 强党性 重实践 建新功
党的二十大精神 两个确立 两个维护 四个意识 四个自信 高质量发展 中国式现代化 新发展理念 新发展格局
全面从严治党 党风廉政建设 形式主义 官僚主义 调查研究 真抓实干 担当作为 攻坚克难 守正创新 学深悟透
知行合一 学以致用 理论联系实际 密切联系群众 批评和自我批评 以人民为中心 初心使命 政治判断力 政治领悟力
政治执行力 乡村振兴 基层治理 营商环境 安全生产 意识形态 生态文明 共同富裕 民生福祉 防范化解重大风险
统筹发展和安全 党建引领 组织建设 干部队伍 作风建设 纪律建设 制度建设 责任落实 问题导向 目标导向
结果导向 系统观念 底线思维 工作格局 长效机制 体制机制 重点任务 重要举措 关键环节 突出问题 短板弱项
深入学习 认真贯彻 全面落实 坚决执行 持续推进 扎实开展 切实加强 不断提升 进一步 着力 始终 坚持 推动
加快 深化 强化 优化 健全 完善 落实 落地 见效 走深走实 走在前列 作出贡献 取得成效 提供保障 凝心聚力
奋进新征程 建功新时代 同志们 我们 要 把 在 上 中 的 和 与 为 以 是 了 对 这 有 都 就 从 更加 全面 深入
各级党组织 党员干部 领导干部 基层党组织 广大群众 人民群众 党中央 省委 市委 县委 各部门 各单位
""".split()
_FREQUENT_HANZI = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都"
    "两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想"
    "已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造"
    "百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集"
    "温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存"
    "候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
)
COMMON = "".join(dict.fromkeys("".join(PHRASES) + _FREQUENT_HANZI))


def _zipf_vocabulary(rng: random.Random, tail: int = 30_000) -> tuple[list[str], list[float]]:
    """Genre phrases first (short function words at the very top), generated words after; the weight of
    rank r is 1 / (r + 2) ** 1.05."""
    words = sorted(dict.fromkeys(PHRASES), key=len)
    seen = set(words)
    while len(words) < len(PHRASES) + tail:
        word = "".join(rng.choices(COMMON, k=rng.choice((2, 2, 2, 3, 4))))
        if word not in seen:
            seen.add(word)
            words.append(word)
    weights = [1.0 / (rank + 2) ** 1.05 for rank in range(len(words))]
    return words, list(itertools.accumulate(weights))


TOPICS = ["主题教育", "乡村振兴", "党风廉政建设", "安全生产", "优化营商环境", "基层治理", "作风建设", "意识形态工作",
          "党史学习教育", "高质量发展", "生态环境保护", "巡视整改", "民主生活会", "组织生活会", "人才工作"]
KINDS = [("研讨交流发言材料", "研讨发言"), ("学习心得体会", "心得体会"), ("专题党课讲稿", "党课"),
         ("工作总结", "总结"), ("述职报告", "述职报告"), ("调研报告", "调研报告"), ("工作会议上的讲话", "讲话")]
NUMERALS = "一二三四五六七八九十"
CLOSINGS = ["发言完毕，不妥之处请各位领导批评指正。", "以上是我的几点体会，不当之处，敬请批评指正。", "谢谢大家！"]


class _Writer:
    """Draws sentences and documents from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words, self.cum = _zipf_vocabulary(self.rng)

    def sentence(self) -> str:
        words = self.rng.choices(self.words, cum_weights=self.cum, k=self.rng.randint(6, 16))
        cut = self.rng.randint(2, len(words) - 2)
        return "".join(words[:cut]) + self.rng.choice("，、，；") + "".join(words[cut:]) + "。"

    def paragraph(self) -> str:
        return "".join(self.sentence() for _ in range(self.rng.randint(2, 6)))

    def heading(self, n: int, sub: bool) -> str:
        a, b = self.rng.choices(self.words[:300], k=2)
        number = f"（{NUMERALS[n % 10]}）" if sub else f"{NUMERALS[n % 10]}、"
        return number + self.rng.choice([f"在{a}上下功夫", f"坚持{a}，推动{b}", f"着力{a}", f"{a}与{b}相结合"])

    def document(self, target: int) -> Document:
        rng = self.rng
        topic, (kind, genre) = rng.choice(TOPICS), rng.choice(KINDS)
        year = rng.randint(2018, 2025)
        title = f"{year}年{topic}{kind}"
        blocks = [Block("title", title), Block("salutation", "同志们：")]
        blocks.append(Block("paragraph", self.paragraph()))
        size, section = sum(len(b.text) for b in blocks), 0
        while size < target:
            blocks.append(Block("heading", self.heading(section, False), 1))
            for sub in range(rng.randint(0, 3)):
                blocks.append(Block("heading", self.heading(sub, True), 2))
                blocks.append(Block("paragraph", self.paragraph()))
            blocks.append(Block("paragraph", self.paragraph()))
            size, section = sum(len(b.text) for b in blocks), section + 1
        blocks.append(Block("closing", rng.choice(CLOSINGS)))
        blocks = self._paywall(blocks)
        body = hashlib.sha256("\n".join(b.text for b in blocks).encode()).hexdigest()
        return Document(None, title, blocks, year=year, genre=genre, tags=[topic], body_sha256=body,
                        source=f"{title}.txt")

    def _paywall(self, blocks: list[Block]) -> list[Block]:
        """Most paid libraries lock the second half of a document."""
        if self.rng.random() < 0.4 or len(blocks) < 6:
            return blocks
        start = self.rng.randint(len(blocks) // 3, len(blocks) - 2)
        return [Block(b.kind, b.text, b.level, i >= start) for i, b in enumerate(blocks)]


def generate(chars: int, seed: int = SEED) -> Iterator[Document]:
    """Documents of about 1,000-6,000 characters until `chars` characters have been produced."""
    writer = _Writer(seed)
    produced = 0
    while produced < chars:
        doc = writer.document(writer.rng.randint(1000, 5000))
        produced += doc.chars
        yield doc


def as_text(doc: Document) -> str:
    """The document as a paid library sells it: lines, the member-only part between markers."""
    lines: list[str] = []
    paid = False
    for block in doc.blocks:
        if block.paid and not paid:
            lines.append("##paidbegin##")
            paid = True
        lines.append(block.text)
    if paid:
        lines.append("##paidend##")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chars", type=int, default=9_000_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, required=True, help="folder for one .txt per document")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    for n, doc in enumerate(generate(args.chars, args.seed)):
        (args.out / f"{n:06d}.txt").write_text(as_text(doc), encoding="utf-8")
        total += doc.chars
    print(f"{n + 1} documents, {total:,} characters in {args.out}")


if __name__ == "__main__":
    main()
