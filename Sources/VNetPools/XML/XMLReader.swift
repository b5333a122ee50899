/// A small, strict XML 1.0 reader: enough for the wireserver's interface document, and safe on garbage.
///
/// Understood: the XML declaration, elements, attributes in single or double quotes, self-closing tags,
/// comments, processing instructions (skipped), CDATA sections, the five predefined entities and numeric
/// character references. Refused: DOCTYPE (no DTDs, so no entity expansion), encodings other than UTF-8,
/// anything not well-formed. The parser is iterative with a depth cap, so hostile nesting cannot exhaust
/// the stack, and every read is bounds-checked: it is a fuzz target.
public enum XMLReader {
    public static let maximumDepth = 256
    public static let maximumAttributesPerElement = 256
    public static let maximumSize = 16 << 20

    public static func parse(_ text: String) throws(XMLParseError) -> XMLElement {
        try parse(Array(text.utf8))
    }

    /// Parses a whole document and returns its root element.
    public static func parse(_ bytes: [UInt8]) throws(XMLParseError) -> XMLElement {
        var scanner = XMLScanner(bytes)
        return try scanner.document()
    }
}

/// The cursor over a document's bytes. Positions are byte offsets; since the input is checked to be UTF-8
/// up front and every delimiter is ASCII, slicing at delimiters always yields valid UTF-8.
struct XMLScanner {
    private static let lessThan = UInt8(ascii: "<"), greaterThan = UInt8(ascii: ">"), ampersand = UInt8(ascii: "&")

    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() throws(XMLParseError) -> XMLElement {
        guard bytes.count <= XMLReader.maximumSize else { throw fail("the document is larger than \(XMLReader.maximumSize) bytes") }
        try validateCharacters()
        if starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        if starts(with: "<?xml"), index + 5 < bytes.count, isSpace(bytes[index + 5]) || bytes[index + 5] == UInt8(ascii: "?") {
            try declaration()
        }
        try misc(beforeRoot: true)
        guard index < bytes.count else { throw fail("the document has no root element") }
        guard bytes[index] == Self.lessThan else { throw fail("expected the root element, found text") }
        let root = try element()
        try misc(beforeRoot: false)
        guard index == bytes.count else { throw fail("content after the root element") }
        return root
    }

    // MARK: Structure

    private struct Open {
        var element: XMLElement
        var text: [UInt8] = []
    }

    /// The element starting at `index` ("<"), with everything inside it.
    private mutating func element() throws(XMLParseError) -> XMLElement {
        let (first, firstClosed) = try startTag()
        if firstClosed { return first }
        var stack = [Open(element: first)]
        while let top = stack.indices.last {
            guard index < bytes.count else { throw fail("the document ends inside <\(stack[top].element.name)>") }
            let byte = bytes[index]
            if byte == Self.ampersand {
                stack[top].text.append(contentsOf: try reference())
            } else if byte != Self.lessThan {
                let start = index
                while index < bytes.count, bytes[index] != Self.lessThan, bytes[index] != Self.ampersand { index += 1 }
                let run = bytes[start..<index]
                if let bad = Self.find(Array("]]>".utf8), in: run) { throw fail("\"]]>\" is not allowed in text", at: bad) }
                stack[top].text.append(contentsOf: run)
            } else if starts(with: "</") {
                let name = try endTag()
                guard var closed = stack.popLast() else { break }
                guard closed.element.name == name else {
                    throw fail("</\(name)> does not close <\(closed.element.name)>")
                }
                closed.element.text = String(decoding: closed.text, as: UTF8.self)
                guard let parent = stack.indices.last else { return closed.element }
                stack[parent].element.children.append(closed.element)
            } else if starts(with: "<!--") {
                try comment()
            } else if starts(with: "<![CDATA[") {
                index += 9
                guard let end = Self.find(Array("]]>".utf8), in: bytes[index...]) else { throw fail("unterminated CDATA section") }
                stack[top].text.append(contentsOf: bytes[index..<end])
                index = end + 3
            } else if starts(with: "<?") {
                try processingInstruction()
            } else if starts(with: "<!") {
                throw fail("markup declarations are not allowed inside elements")
            } else {
                guard stack.count < XMLReader.maximumDepth else {
                    throw fail("elements nested deeper than \(XMLReader.maximumDepth) levels")
                }
                let (child, closed) = try startTag()
                if closed { stack[top].element.children.append(child) } else { stack.append(Open(element: child)) }
            }
        }
        throw fail("unbalanced elements")
    }

    /// "<name attr='v' ...>" or "<name .../>"; returns the element and whether it closed itself.
    private mutating func startTag() throws(XMLParseError) -> (XMLElement, Bool) {
        index += 1
        let name = try self.name()
        let attributes = try attributeList()
        if starts(with: "/>") {
            index += 2
            return (XMLElement(name: name, attributes: attributes), true)
        }
        guard index < bytes.count, bytes[index] == Self.greaterThan else { throw fail("expected \">\" to end <\(name)>") }
        index += 1
        return (XMLElement(name: name, attributes: attributes), false)
    }

    private mutating func endTag() throws(XMLParseError) -> String {
        index += 2
        let name = try self.name()
        skipSpaces()
        guard index < bytes.count, bytes[index] == Self.greaterThan else { throw fail("expected \">\" to end </\(name)>") }
        index += 1
        return name
    }

    /// Attributes up to (not including) ">", "/>" or "?>".
    private mutating func attributeList() throws(XMLParseError) -> [XMLAttribute] {
        var list: [XMLAttribute] = []
        while true {
            let spaced = skipSpaces()
            guard index < bytes.count else { throw fail("the document ends inside a tag") }
            let byte = bytes[index]
            if byte == Self.greaterThan || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") { return list }
            guard spaced else { throw fail("attributes must be separated by whitespace") }
            let start = index
            let name = try self.name()
            skipSpaces()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { throw fail("expected \"=\" after attribute \(name)") }
            index += 1
            skipSpaces()
            let value = try attributeValue()
            guard !list.contains(where: { $0.name == name }) else { throw fail("attribute \(name) appears twice", at: start) }
            guard list.count < XMLReader.maximumAttributesPerElement else {
                throw fail("more than \(XMLReader.maximumAttributesPerElement) attributes on one element")
            }
            list.append(XMLAttribute(name: name, value: value))
        }
    }

    private mutating func attributeValue() throws(XMLParseError) -> String {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else {
            throw fail("attribute values must be quoted")
        }
        let quote = bytes[index]
        index += 1
        var value: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("unterminated attribute value") }
            let byte = bytes[index]
            switch byte {
            case quote:
                index += 1
                return String(decoding: value, as: UTF8.self)
            case Self.lessThan:
                throw fail("\"<\" is not allowed in an attribute value")
            case Self.ampersand:
                value.append(contentsOf: try reference())
            case UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                value.append(UInt8(ascii: " "))  // attribute-value normalisation (XML 1.0, 3.3.3)
                index += 1
            default:
                value.append(byte)
                index += 1
            }
        }
    }

    /// "<?xml version=... encoding=... standalone=...?>" at the very start.
    private mutating func declaration() throws(XMLParseError) {
        index += 5
        let pseudo = try attributeList()
        guard starts(with: "?>") else { throw fail("expected \"?>\" to end the XML declaration") }
        index += 2
        guard let version = pseudo.first, version.name == "version" else { throw fail("the XML declaration must start with version") }
        guard version.value.hasPrefix("1."), version.value.count > 2,
              version.value.dropFirst(2).allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw fail("XML version \"\(version.value)\" is not supported")
        }
        for item in pseudo.dropFirst() {
            switch item.name {
            case "encoding":
                guard ["utf-8", "utf8", "us-ascii", "ascii"].contains(item.value.lowercased()) else {
                    throw fail("encoding \"\(item.value)\" is not supported (only UTF-8)")
                }
            case "standalone":
                guard item.value == "yes" || item.value == "no" else { throw fail("standalone must be \"yes\" or \"no\"") }
            default:
                throw fail("unexpected \(item.name) in the XML declaration")
            }
        }
    }

    /// Whitespace, comments and processing instructions around the root element.
    private mutating func misc(beforeRoot: Bool) throws(XMLParseError) {
        while true {
            skipSpaces()
            if starts(with: "<!--") {
                try comment()
            } else if starts(with: "<?") {
                try processingInstruction()
            } else if beforeRoot && starts(with: "<!") {
                throw fail(starts(with: "<!DOCTYPE") ? "DOCTYPE declarations are not supported" : "unexpected markup declaration")
            } else {
                return
            }
        }
    }

    private mutating func comment() throws(XMLParseError) {
        let start = index
        index += 4
        guard let dashes = Self.find(Array("--".utf8), in: bytes[index...]) else { throw fail("unterminated comment", at: start) }
        guard dashes + 2 < bytes.count, bytes[dashes + 2] == Self.greaterThan else {
            throw fail("\"--\" is not allowed inside a comment", at: dashes)
        }
        index = dashes + 3
    }

    private mutating func processingInstruction() throws(XMLParseError) {
        let start = index
        index += 2
        let target = try name()
        guard target.lowercased() != "xml" else { throw fail("the XML declaration must be at the very start", at: start) }
        guard let end = Self.find(Array("?>".utf8), in: bytes[index...]) else { throw fail("unterminated processing instruction", at: start) }
        index = end + 2
    }
}

extension XMLScanner {
    // MARK: Lexical pieces

    /// "&name;" or "&#n;" / "&#xh;" at `index`: the UTF-8 bytes of the character it stands for.
    private mutating func reference() throws(XMLParseError) -> [UInt8] {
        let start = index
        index += 1
        guard let semicolon = bytes[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
            throw fail("\"&\" must start an entity or character reference ending in \";\"", at: start)
        }
        let body = String(decoding: bytes[index..<semicolon], as: UTF8.self)
        index = semicolon + 1
        if body.hasPrefix("#") {
            let hex = body.hasPrefix("#x")
            let digits = body.dropFirst(hex ? 2 : 1)
            guard !digits.isEmpty, digits.count <= 8, let value = UInt32(digits, radix: hex ? 16 : 10),
                  Self.isXMLCharacter(value), let scalar = Unicode.Scalar(value) else {
                throw fail("&\(body); is not a valid character reference", at: start)
            }
            return Array(String(Character(scalar)).utf8)
        }
        switch body {
        case "amp": return [Self.ampersand]
        case "lt": return [Self.lessThan]
        case "gt": return [Self.greaterThan]
        case "quot": return [UInt8(ascii: "\"")]
        case "apos": return [UInt8(ascii: "'")]
        default: throw fail("unknown entity &\(body);", at: start)
        }
    }

    private mutating func name() throws(XMLParseError) -> String {
        let start = index
        guard index < bytes.count, Self.isNameStart(bytes[index]) else { throw fail("expected a name") }
        index += 1
        while index < bytes.count, Self.isNameStart(bytes[index]) || Self.isNameRest(bytes[index]) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private static func isNameStart(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte >= 0x80
    }

    private static func isNameRest(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    private func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    @discardableResult
    private mutating func skipSpaces() -> Bool {
        let start = index
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        return index > start
    }

    private func starts(with text: String) -> Bool { starts(with: Array(text.utf8)) }

    private func starts(with prefix: [UInt8]) -> Bool {
        guard bytes.count - index >= prefix.count else { return false }
        return bytes[index..<index + prefix.count].elementsEqual(prefix)
    }

    /// The offset of the first occurrence of `pattern` in `slice`.
    private static func find(_ pattern: [UInt8], in slice: ArraySlice<UInt8>) -> Int? {
        guard let head = pattern.first, slice.count >= pattern.count else { return nil }
        var position = slice.startIndex
        let last = slice.endIndex - pattern.count
        while position <= last {
            guard let candidate = slice[position...last].firstIndex(of: head) else { return nil }
            if slice[candidate..<candidate + pattern.count].elementsEqual(pattern) { return candidate }
            position = candidate + 1
        }
        return nil
    }

    /// XML 1.0's Char production.
    private static func isXMLCharacter(_ value: UInt32) -> Bool {
        value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
            || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
    }

    /// Refuses input that is not UTF-8 or holds characters XML forbids (NUL and other controls).
    private func validateCharacters() throws(XMLParseError) {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw fail("the document is not valid UTF-8", at: 0)
        }
        var offset = 0
        for scalar in text.unicodeScalars {
            guard Self.isXMLCharacter(scalar.value) else {
                throw fail("character U+\(String(scalar.value, radix: 16, uppercase: true)) is not allowed in XML", at: offset)
            }
            offset += UTF8.width(scalar)
        }
    }

    func fail(_ reason: String, at offset: Int? = nil) -> XMLParseError {
        let position = min(max(0, offset ?? index), bytes.count)
        var line = 1
        var lineStart = 0
        for (i, byte) in bytes[0..<position].enumerated() where byte == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        return XMLParseError(offset: position, line: line, column: position - lineStart + 1, reason: reason)
    }
}
