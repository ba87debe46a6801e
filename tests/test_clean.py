"""Advertisement removal and obfuscation repair: by rules an operator can extend, never silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from sucai.errors import InputError
from sucai.ingest.clean import clean_text, load_rules, repair_text
from sucai.model import Repair

AD_LINES = [
    "【公众号：哒哒君】，最新最全党建资料库",
    "【哒哒素材库】——每天更新材料1000多篇内部高质量素材，会员群+网盘群同步每日更新，有意加入请联系：1 4367",
    "欢迎加入“哒哒素材库svip会员”，9000万字材料！添加客服：cwk,请各位小伙伴认准哒哒，哒哒唯一平台，谨防假冒！",
    "【哒哒代笔】——原创高质量保障、高度保密，各类代笔（润笔），好评如潮！需要的小伙伴请代笔客服：cwk",
]
GENUINE = [
    "本协会会员大会每年召开一次，会员代表由各分会推选产生。",
    "我们要坚持以人民为中心，广泛听取公众意见，回应群众关切。",
    "坚决杜绝讲话稿请人代笔、照本宣科等形式主义问题。",
    "要充实12345热线客服人员力量，提高接诉即办效率。",
    "要把典型案例加入党建资料库，每天更新学习资料，方便党员学习。",
    "对有意加入党组织的青年，要加强培养教育。",
    "企业接单难、融资难的问题依然突出。",
]


def test_shipped_rules_load() -> None:
    rules = load_rules()
    names = {r.name for r in rules.ads}
    assert {"wechat-account", "customer-service", "ghost-writing", "wikisource-licence"} <= names
    assert ("主T", "主题") in rules.obfuscations
    assert ("主题教育", "主题教育") in rules.topics


def test_advertisement_lines_are_removed_and_reported() -> None:
    text = "\n".join(["正文第一段。", *AD_LINES, "正文第二段。"])
    cleaned = clean_text(text)
    assert cleaned.text.split("\n") == ["正文第一段。", "", "", "", "", "正文第二段。"]
    assert [r.text for r in cleaned.removals] == AD_LINES
    assert all(r.rule for r in cleaned.removals)
    assert cleaned.removals[0].rule == "wechat-account"
    assert cleaned.removals[3].rule == "ghost-writing"


def test_genuine_mentions_of_members_and_public_are_kept() -> None:
    text = "\n".join(GENUINE)
    cleaned = clean_text(text)
    assert cleaned.text == text
    assert cleaned.removals == []


def test_only_the_advertising_sentence_of_a_mixed_line_goes() -> None:
    cleaned = clean_text("发言完毕，不妥之处请批评指正。更多资料请关注公众号：某某君")
    assert cleaned.text == "发言完毕，不妥之处请批评指正。"
    assert [r.text for r in cleaned.removals] == ["更多资料请关注公众号：某某君"]


def test_paywall_markers_survive_and_ads_inside_paid_text_go() -> None:
    text = "免费。\n##paidbegin##付费正文。\n【公众号：哒哒君】\n【公众号：哒哒君】＃＃PaidEnd＃＃\n"
    cleaned = clean_text(text)
    assert cleaned.text == "免费。\n##paidbegin##付费正文。\n\n＃＃PaidEnd＃＃\n"
    assert len(cleaned.removals) == 2


def test_obfuscations_are_repaired_and_counted() -> None:
    cleaned = clean_text("开展主T教育，学习党的=+大精神。主T教育要见实效，十⑨大以来。")
    assert cleaned.text == "开展主题教育，学习党的二十大精神。主题教育要见实效，十九大以来。"
    assert cleaned.repairs == [Repair("主T", "主题", 2), Repair("=+大", "二十大", 1), Repair("十⑨大", "十九大", 1)]


def test_repairs_leave_latin_words_alone() -> None:
    text = "在主Table中设置，主Tab键。"
    assert clean_text(text).text == text
    assert repair_text("2023年主T教育学习研讨交流发言材料") == (
        "2023年主题教育学习研讨交流发言材料",
        [Repair("主T", "主题", 1)],
    )


def test_event_offsets_point_into_the_cleaned_text() -> None:
    text = "主T一。\n【公众号：哒哒君】\n主T二。\n"
    cleaned = clean_text(text)
    assert cleaned.text == "主题一。\n\n主题二。\n"
    assert [o for o, _, _ in cleaned.repaired] == [0, 6]
    assert [o for o, _ in cleaned.removed] == [5]


def test_wikisource_licence_is_stripped_to_the_end() -> None:
    text = (
        "会议号召，团结奋斗！\n\n\n本作品是中华人民共和国的\n法律\n，所以属于\n公有领域\n。\n\nPublic domain\nfalse\n"
    )
    cleaned = clean_text(text)
    assert cleaned.text.strip() == "会议号召，团结奋斗！"
    assert [r.rule for r in cleaned.removals] == ["wikisource-licence"]
    assert "公有领域" in cleaned.removals[0].text


def test_crlf_is_normalised() -> None:
    assert clean_text("一。\r\n二。\r三。").text == "一。\n二。\n三。"


def test_operator_rules_extend_and_switch_off_shipped_ones(tmp_path: Path) -> None:
    (tmp_path / "ads.txt").write_text(
        "# shop promotions seen in our files\nshop-link  (?:淘宝|闲鱼)店铺\n!svip-membership\n", encoding="utf-8"
    )
    (tmp_path / "obfuscations.tsv").write_text("党shi\t党史\n", encoding="utf-8")
    (tmp_path / "topics.tsv").write_text("河长制\t生态文明\n", encoding="utf-8")
    rules = load_rules([tmp_path])
    cleaned = clean_text("学习党shi。\n欢迎光临淘宝店铺：某某书屋\n开通svip享受更多权益\n", rules)
    assert cleaned.text == "学习党史。\n\n开通svip享受更多权益\n"
    assert [r.rule for r in cleaned.removals] == ["shop-link"]
    assert ("河长制", "生态文明") in rules.topics
    assert "svip-membership" in {r.name for r in load_rules().ads}  # the shipped set is untouched


def test_a_bad_rule_is_an_input_error_naming_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "ads.txt").write_text("ok-rule 公众号\nbroken (unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"ads\.txt:2"):
        load_rules([tmp_path])
