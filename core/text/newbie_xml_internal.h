#pragma once
// Internal helpers shared by newbie_xml.cpp (parser, queries) and newbie_xml_edit.cpp (edits).
// Not part of the public API.

#include <string>
#include <vector>

#include "text/newbie_xml.h"

namespace newbie::text::detail {

bool isSpace(char c);
std::string trim(const std::string& s);
bool contains(const std::vector<std::string>& v, const std::string& s);
/// "name" -> "n" (the two spellings of a character's name field).
std::string canonicalField(const std::string& f);

/// Calls fn(element) for each element of the root level and of any <image> wrapper.
template <typename Fn>
void forEachBlock(const std::vector<XmlNode>& nodes, Fn&& fn) {
  for (const XmlNode& n : nodes) {
    if (!n.isElement()) continue;
    if (n.name == "image")
      forEachBlock(n.children, fn);
    else
      fn(n);
  }
}

const XmlNode* firstBlock(const std::vector<XmlNode>& root, const std::string& name);
const XmlNode* firstCharacter(const std::vector<XmlNode>& root, int number);
const XmlNode* lastCharacter(const std::vector<XmlNode>& root);
const XmlNode* findField(const XmlNode& block, const std::string& field);
int maxCharacterNumber(const std::vector<XmlNode>& root);

}  // namespace newbie::text::detail
