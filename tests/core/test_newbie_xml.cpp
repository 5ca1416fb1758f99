// NewBie XML dialect parser: lossless round trip, structured view, diagnostics, edits.
#include <gtest/gtest.h>

#include <random>

#include "text/newbie_xml.h"

using namespace newbie::text;

namespace {

// MODEL-SPEC §5 Example 1 (official README), verbatim.
const std::string kReadme = R"XML(  <character_1>
  <n>$character_1$</n>
  <gender>1girl</gender>
  <appearance>chibi, red_eyes, blue_hair, long_hair, hair_between_eyes, head_tilt, tareme, closed_mouth</appearance>
  <clothing>school_uniform, serafuku, white_sailor_collar, white_shirt, short_sleeves, red_neckerchief, bow, blue_skirt, miniskirt, pleated_skirt, blue_hat, mini_hat, thighhighs, grey_thighhighs, black_shoes, mary_janes</clothing>
  <expression>happy, smile</expression>
  <action>standing, holding, holding_briefcase</action>
  <position>center_left</position>
  </character_1>

  <character_2>
  <n>$character_2$</n>
  <gender>1girl</gender>
  <appearance>chibi, red_eyes, pink_hair, long_hair, very_long_hair, multi-tied_hair, open_mouth</appearance>
  <clothing>school_uniform, serafuku, white_sailor_collar, white_shirt, short_sleeves, red_neckerchief, bow, red_skirt, miniskirt, pleated_skirt, hair_bow, multiple_hair_bows, white_bow, ribbon_trim, ribbon-trimmed_bow, white_thighhighs, black_shoes, mary_janes, bow_legwear, bare_arms</clothing>
  <expression>happy, smile</expression>
  <action>standing, holding, holding_briefcase, waving</action>
  <position>center_right</position>
  </character_2>

  <general_tags>
  <count>2girls, multiple_girls</count>
  <style>anime_style, digital_art</style>
  <background>white_background, simple_background</background>
  <atmosphere>cheerful</atmosphere>
  <quality>high_resolution, detailed</quality>
  <objects>briefcase</objects>
  <other>alternate_costume</other>
  </general_tags>
)XML";
// MODEL-SPEC §5 Example 2 (Comfy-Org workflow user prompt), verbatim.
const std::string kComfy = R"XML(<character_1>
<n>$character_1$</n>
<gender>1girl</gender>
<appearance>blue hair, long hair, floating hair, ahoge, blue eyes, sharp pupils, fair skin, shaded face, beauty mark, Roxy Migurdia</appearance>
<clothing>witch hat, large hat, black hat, shawl, coat, white and blue dress, multicolored clothing, high collar</clothing>
<body_type>slender, small breasts</body_type>
<expression>serious, concerned, concerned eyes, intense gaze, open mouth, slight frown, jitome</expression>
<action>pointing at viewer, hand out, hand gesture, posing, head tilt, holding hat, supporting hat, dynamic pose, mid-action</action>
<interaction>pointing towards the camera</interaction>
<position>full-frame, center, foreground, tight shot, extreme close-up</position>
</character_1>

<general_tags>
<count>1girl</count>
<artists>yoneyama mai, Mika pikazo, Rolua</artists>
<style>anime style, digital art, illustration, detailed shading, cut light, fluid dynamics, cerulean gold particle effects</style>
<background>abstract, dark background, dynamic background</background>
<environment>vortex, spiral, surrounded by floating crystal petals, caustics</environment>
<perspective>dramatic angle, dutch angle, from below, tight shot, extreme close up</perspective>
<atmosphere>intense, dynamic, magical, mysterious, epic composition, shaded</atmosphere>
<lighting>cut light, shadow, strong contrast, dramatic lighting</lighting>
<quality>masterpiece, best quality, very awa, newest, highres, absurdres, an extremely delicate and beautiful, original, illustration, amazing, detailed</quality>
<objects>crystal, crystal petals</objects>
<other>fluid dynamics, spiral, three-dimensional spiral structure, chromatic aberration, bokeh, floating, special effects covered in crystals and fluids obscure a part of the body</other>
</general_tags>
)XML";
// MODEL-SPEC §5 Example 3 (CN Gemma-chat schema), verbatim.
const std::string kSchema = R"XML(<character_1>
  <n></n>
  <gender></gender>
  <appearance></appearance>
  <clothing></clothing>
  <expression></expression>
  <action></action>
  <interaction></interaction>
  <position></position>
</character_1>
<general_tags>
  <count></count>
  <artists></artists>
  <style>anime style</style>
  <background></background>
  <environment></environment>
  <perspective></perspective>
  <atmosphere></atmosphere>
  <lighting></lighting>
  <resolution>max_high_resolution</resolution>
  <quality>very aesthetic, masterpiece, no text</quality>
  <objects></objects>
  <other></other>
</general_tags>
<caption>Natural language description of the scene with lighting/shadow details. Escape parentheses with backslash here too.</caption>
)XML";

std::string dump(const std::vector<XmlDiagnostic>& ds) {
  std::string s;
  for (const auto& d : ds)
    s += (d.isError() ? "E " : "W ") + std::to_string(d.line) + ":" + std::to_string(d.column) + " " + d.message + "\n";
  return s;
}

const XmlDiagnostic* find(const Document& d, const std::string& needle) {
  for (const auto& x : d.diagnostics())
    if (x.message.find(needle) != std::string::npos) return &x;
  return nullptr;
}

}  // namespace

TEST(NewbieXml, ReadmeExampleParsesCleanly) {
  const Document d = Document::parse(kReadme);
  EXPECT_TRUE(d.diagnostics().empty()) << dump(d.diagnostics());
  EXPECT_EQ(d.toString(), kReadme);
  const auto cs = d.characters();
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].number, 1);
  EXPECT_EQ(cs[0].get("name"), "$character_1$");
  EXPECT_EQ(cs[0].get("position"), "center_left");
  EXPECT_EQ(cs[1].get("action"), "standing, holding, holding_briefcase, waving");
  EXPECT_EQ(cs[1].line, 11);
  EXPECT_EQ(cs[1].column, 3);
  EXPECT_EQ(d.generalTag("count"), "2girls, multiple_girls");
  EXPECT_EQ(d.generalTag("objects"), "briefcase");
  EXPECT_EQ(d.generalTags().size(), 7u);
  EXPECT_FALSE(d.hasCaption());
  EXPECT_TRUE(d.looksLikeXml());
  const auto paths = d.fieldPaths();
  ASSERT_FALSE(paths.empty());
  EXPECT_EQ(paths.front().first, "character_1.n");
  EXPECT_EQ(paths.back(), (std::pair<std::string, std::string>{"general_tags.other", "alternate_costume"}));
}

TEST(NewbieXml, ComfyExampleParsesCleanly) {
  const Document d = Document::parse(kComfy);
  EXPECT_TRUE(d.diagnostics().empty()) << dump(d.diagnostics());
  EXPECT_EQ(d.toString(), kComfy);
  const auto c = d.character(1);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->get("body_type"), "slender, small breasts");
  EXPECT_EQ(c->get("interaction"), "pointing towards the camera");
  EXPECT_EQ(d.generalTag("artists"), "yoneyama mai, Mika pikazo, Rolua");
  EXPECT_EQ(splitTags(d.generalTag("artists")), (std::vector<std::string>{"yoneyama mai", "Mika pikazo", "Rolua"}));
  EXPECT_FALSE(d.character(2).has_value());
}

TEST(NewbieXml, SchemaExampleWarnsAboutEmptyCharacter) {
  const Document d = Document::parse(kSchema);
  EXPECT_FALSE(d.hasErrors()) << dump(d.diagnostics());
  ASSERT_EQ(d.diagnostics().size(), 1u) << dump(d.diagnostics());
  EXPECT_EQ(d.diagnostics()[0].message, "<character_1> is empty");
  EXPECT_EQ(d.diagnostics()[0].line, 1);
  EXPECT_EQ(d.generalTag("resolution"), "max_high_resolution");
  EXPECT_TRUE(d.hasCaption());
  EXPECT_EQ(d.caption().substr(0, 18), "Natural language d");
}

TEST(NewbieXml, PlainTagsAndNaturalLanguage) {
  const std::string s = "1girl, blue hair, smile\nA girl waves at the camera.";
  const Document d = Document::parse(s);
  EXPECT_TRUE(d.diagnostics().empty()) << dump(d.diagnostics());
  EXPECT_FALSE(d.looksLikeXml());
  EXPECT_EQ(d.plainText(), s);
  EXPECT_EQ(d.toString(), s);
  EXPECT_TRUE(Document::parse("").diagnostics().empty());
}

TEST(NewbieXml, UnclosedTagErrorAtOpenTag) {
  const Document d = Document::parse("<character_1>\n  <n>x</n>\n");
  ASSERT_TRUE(d.hasErrors());
  ASSERT_EQ(d.diagnostics().size(), 1u) << dump(d.diagnostics());
  const auto& e = d.diagnostics()[0];
  EXPECT_EQ(e.line, 1);
  EXPECT_EQ(e.column, 1);
  EXPECT_EQ(e.length, 13u);
  EXPECT_EQ(e.message, "<character_1> is never closed (missing </character_1>)");
  EXPECT_EQ(d.toString(), "<character_1>\n  <n>x</n>\n");
}

TEST(NewbieXml, MismatchedTags) {
  const std::string s = "<character_1>\n<clothing>a</gender>\n</character_1>";
  const Document d = Document::parse(s);
  EXPECT_EQ(d.toString(), s);
  const auto* orphan = find(d, "</gender> has no matching");
  ASSERT_NE(orphan, nullptr) << dump(d.diagnostics());
  EXPECT_TRUE(orphan->isError());
  EXPECT_EQ(orphan->line, 2);
  EXPECT_EQ(orphan->column, 12);
  EXPECT_EQ(orphan->message, "closing tag </gender> has no matching opening tag (inside <clothing>)");
  const auto* mm = find(d, "mismatched");
  ASSERT_NE(mm, nullptr) << dump(d.diagnostics());
  EXPECT_EQ(mm->line, 3);
  EXPECT_EQ(mm->column, 1);
  EXPECT_EQ(mm->message, "mismatched closing tag </character_1>: expected </clothing> (opened at 2:1)");
}

TEST(NewbieXml, StrayLessThanAndEntities) {
  {
    const Document d = Document::parse("a < b");
    ASSERT_EQ(d.diagnostics().size(), 1u);
    EXPECT_TRUE(d.diagnostics()[0].isError());
    EXPECT_EQ(d.diagnostics()[0].column, 3);
    EXPECT_EQ(d.diagnostics()[0].message, "stray '<' (write &lt; if you mean the character)");
  }
  {
    const Document d = Document::parse("<caption>\nx &foo; &amp; &#38; &#x26; y &bar z</caption>");
    ASSERT_EQ(d.diagnostics().size(), 2u) << dump(d.diagnostics());
    EXPECT_EQ(d.diagnostics()[0].message, "unknown entity '&foo;'");
    EXPECT_EQ(d.diagnostics()[0].line, 2);
    EXPECT_EQ(d.diagnostics()[0].column, 3);
    EXPECT_EQ(d.diagnostics()[1].message, "bad entity '&bar' (missing ';')");
    EXPECT_EQ(d.diagnostics()[1].column, 30);
  }
  {
    const Document d = Document::parse("black & white");
    EXPECT_FALSE(d.hasErrors());
    ASSERT_EQ(d.diagnostics().size(), 1u);
    EXPECT_EQ(d.diagnostics()[0].column, 7);
  }
  {
    const Document d = Document::parse("<caption>x</caption>\n<gen");
    ASSERT_TRUE(d.hasErrors());
    EXPECT_EQ(d.diagnostics()[0].message, "tag <gen is missing its closing '>'");
    EXPECT_EQ(d.diagnostics()[0].line, 2);
  }
}

TEST(NewbieXml, WarningsUnknownDuplicateGapCjkColumns) {
  const std::string s =
      "<character_1>\n<n>a</n><name>b</name>\n<hat>red</hat>\n</character_1>\n"
      "<character_3><gender>1boy</gender></character_3>\n"
      "日本<foo>x</foo>\n<clothing>y</clothing>\n<general_tags><style>z</style><mood>m</mood></general_tags>";
  const Document d = Document::parse(s);
  EXPECT_FALSE(d.hasErrors()) << dump(d.diagnostics());
  EXPECT_EQ(d.toString(), s);
  const auto* dup = find(d, "duplicate <name>");
  ASSERT_NE(dup, nullptr) << dump(d.diagnostics());
  EXPECT_EQ(dup->line, 2);
  EXPECT_EQ(dup->column, 9);
  const auto* hat = find(d, "unknown tag <hat> inside <character_1>");
  ASSERT_NE(hat, nullptr);
  EXPECT_EQ(hat->line, 3);
  const auto* gap = find(d, "<character_2> is missing");
  ASSERT_NE(gap, nullptr);
  EXPECT_EQ(gap->line, 5);
  const auto* foo = find(d, "unknown tag <foo>");
  ASSERT_NE(foo, nullptr);
  EXPECT_EQ(foo->line, 6);
  EXPECT_EQ(foo->column, 3);  // two CJK code points before it
  EXPECT_EQ(foo->offset, std::string("日本").size() + s.find("日本"));
  ASSERT_NE(find(d, "<clothing> at the top level (it belongs inside <character_N>)"), nullptr);
  ASSERT_NE(find(d, "unknown tag <mood> inside <general_tags>"), nullptr);
  EXPECT_EQ(d.diagnostics().size(), 6u) << dump(d.diagnostics());
  // Unknown children stay visible in the structured view.
  EXPECT_TRUE(d.character(1)->has("hat"));
}

TEST(NewbieXml, CommentsCdataAndImageWrapperRoundTrip) {
  const std::string s =
      "<?xml version=\"1.0\"?>\n<image>\n<!-- my notes <b> -->\n<character_1 id='x'>\n<n>a</n><br/>\n"
      "</character_1>\n<![CDATA[ <raw> ]]>\n<caption>A cat.</caption>\n</image>\n";
  const Document d = Document::parse(s);
  EXPECT_EQ(d.toString(), s);
  EXPECT_EQ(d.caption(), "A cat.");
  ASSERT_EQ(d.characters().size(), 1u);
  EXPECT_NE(find(d, "unknown tag <br> inside <character_1>"), nullptr) << dump(d.diagnostics());
  EXPECT_FALSE(d.hasErrors()) << dump(d.diagnostics());
}

TEST(NewbieXml, RandomInputsRoundTripByteExact) {
  const std::string alphabet = "<>/&;!-?[]a_c1 \n\t\"'=x#";
  const std::vector<std::string> pieces = {"<character_1>", "</character_1>", "<n>", "</n>", "<!--", "-->",
                                           "&amp;", "<general_tags>", "</general_tags>", "日"};
  std::mt19937 rng(1234);
  for (int iter = 0; iter < 3000; ++iter) {
    std::string s;
    const int len = static_cast<int>(rng() % 60);
    for (int i = 0; i < len; ++i) {
      if (rng() % 4 == 0)
        s += pieces[rng() % pieces.size()];
      else
        s += alphabet[rng() % alphabet.size()];
    }
    const Document d = Document::parse(s);
    ASSERT_EQ(d.toString(), s) << "input: " << s;
    for (const auto& x : d.diagnostics()) ASSERT_LE(x.offset + x.length, std::max<std::size_t>(s.size(), 1));
  }
}

TEST(NewbieXml, SetFieldChangesOnlyThatElement) {
  Document d = Document::parse(kReadme);
  d.setCharacterField(2, "clothing", "maid, apron");
  std::string expected = kReadme;
  const std::size_t second = expected.find("<clothing>", expected.find("<character_2>"));
  const std::size_t b = second + 10, e = expected.find("</clothing>", second);
  expected.replace(b, e - b, "maid, apron");
  EXPECT_EQ(d.source(), expected);
  EXPECT_EQ(d.character(2)->get("clothing"), "maid, apron");

  // Whitespace around the old value is kept.
  Document w = Document::parse("<caption>\n  old\n</caption>");
  w.setCaption("new text");
  EXPECT_EQ(w.source(), "<caption>\n  new text\n</caption>");
  // Same-line spaces are part of the value (typing "a, " then "a, b" leaves no stray space).
  Document t = Document::parse("<character_1><clothing>a</clothing></character_1>");
  t.setCharacterField(1, "clothing", "a, ");
  t.setCharacterField(1, "clothing", "a, b");
  EXPECT_EQ(t.source(), "<character_1><clothing>a, b</clothing></character_1>");
  Document c = Document::parse("<caption></caption>");
  c.setCaption("y");
  EXPECT_EQ(c.source(), "<caption>y</caption>");
}

TEST(NewbieXml, SetFieldCreatesMissingPieces) {
  Document d = Document::parse(kReadme);
  d.setCharacterField(1, "body_type", "petite");
  EXPECT_NE(d.source().find("  <position>center_left</position>\n  <body_type>petite</body_type>\n  </character_1>"),
            std::string::npos)
      << d.source();
  d.setGeneralTag("lighting", "soft_lighting");
  EXPECT_NE(d.source().find("<other>alternate_costume</other>\n  <lighting>soft_lighting</lighting>\n  </general_tags>"),
            std::string::npos)
      << d.source();
  d.setCaption("Two girls.");
  const std::string tail = "</general_tags>\n\n<caption>Two girls.</caption>\n";  // trailing newline kept last
  EXPECT_EQ(d.source().substr(d.source().size() - tail.size()), tail);
  EXPECT_TRUE(d.diagnostics().empty()) << dump(d.diagnostics());

  Document p = Document::parse("");
  p.setCharacterField(1, "gender", "1girl");
  EXPECT_EQ(p.source(), "<character_1>\n<gender>1girl</gender>\n</character_1>");
  p.setGeneralTag("count", "1girl");
  EXPECT_EQ(p.source(),
            "<character_1>\n<gender>1girl</gender>\n</character_1>\n\n<general_tags>\n<count>1girl</count>\n</general_tags>");
  p.setCharacterField(1, "n", "miku");
  EXPECT_EQ(p.character(1)->get("n"), "miku");
  Document e = Document::parse("<character_1></character_1>");
  e.setCharacterField(1, "gender", "1boy");
  EXPECT_EQ(e.source(), "<character_1>\n<gender>1boy</gender>\n</character_1>");
}

TEST(NewbieXml, RemoveFieldAndCharacterWithRenumber) {
  Document d = Document::parse(kReadme);
  d.removeCharacterField(1, "expression");
  EXPECT_EQ(d.source().find("<expression>happy, smile</expression>\n  <action>standing, holding, holding_briefcase</action>"),
            std::string::npos);
  EXPECT_FALSE(d.character(1)->has("expression"));
  EXPECT_NE(d.source().find("<clothing>"), std::string::npos);

  Document r = Document::parse(kReadme);
  r.removeCharacter(1);
  ASSERT_EQ(r.characters().size(), 1u);
  EXPECT_EQ(r.characters()[0].number, 1);
  EXPECT_EQ(r.characters()[0].get("n"), "$character_1$");
  EXPECT_EQ(r.characters()[0].get("position"), "center_right");
  EXPECT_EQ(r.source().substr(0, 17), "  <character_1>\n ");
  EXPECT_TRUE(r.diagnostics().empty()) << dump(r.diagnostics());
}

TEST(NewbieXml, MoveAddInsertCharacters) {
  Document d = Document::parse(kReadme);
  ASSERT_TRUE(d.moveCharacter(2, -1));
  auto cs = d.characters();
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].number, 1);
  EXPECT_EQ(cs[0].get("position"), "center_right");
  EXPECT_EQ(cs[0].get("n"), "$character_1$");
  EXPECT_EQ(cs[1].get("position"), "center_left");
  EXPECT_FALSE(d.moveCharacter(2, 1));
  ASSERT_TRUE(d.moveCharacter(1, 1));
  EXPECT_EQ(d.source(), kReadme);  // moving back restores the original bytes

  const std::string card = "<character_7>\n<n>$character_7$</n>\n<gender>1boy</gender>\n</character_7>";
  EXPECT_EQ(d.insertCharacterBlock(card), 3);
  EXPECT_EQ(d.character(3)->get("n"), "$character_3$");
  EXPECT_NE(d.source().find("</character_2>\n\n  <character_3>\n<n>$character_3$</n>"), std::string::npos);
  EXPECT_EQ(d.characterBlock(3), "<character_3>\n<n>$character_3$</n>\n<gender>1boy</gender>\n</character_3>");
  EXPECT_EQ(d.addCharacter(), 4);
  EXPECT_EQ(d.characters().size(), 4u);
  EXPECT_EQ(d.insertCharacterBlock("no block"), -1);

  Document g = Document::parse("<character_2><gender>x</gender></character_2>\n<character_5><gender>y</gender></character_5>");
  g.renumberCharacters();
  EXPECT_EQ(g.source(), "<character_1><gender>x</gender></character_1>\n<character_2><gender>y</gender></character_2>");
}

TEST(NewbieXml, TagHelpers) {
  EXPECT_EQ(splitTags(" a, b ,,c，d "), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_TRUE(splitTags("  ").empty());
  EXPECT_EQ(joinTags({"a", "b"}), "a, b");
  EXPECT_EQ(normalizeTag(" Blue Hair "), "blue_hair");
  EXPECT_EQ(characterNumber("character_12"), 12);
  EXPECT_EQ(characterNumber("character_"), -1);
  EXPECT_EQ(characterNumber("character_1a"), -1);
}
