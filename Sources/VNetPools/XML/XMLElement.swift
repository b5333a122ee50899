/// One attribute of an element, value already unescaped.
public struct XMLAttribute: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An element of a parsed XML document: name, attributes in document order, child elements, and the
/// character data found directly inside it (entities resolved, CDATA included, comments dropped).
public struct XMLElement: Hashable, Sendable {
    public var name: String
    public var attributes: [XMLAttribute]
    public var children: [XMLElement]
    public var text: String

    public init(name: String, attributes: [XMLAttribute] = [], children: [XMLElement] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The value of attribute `name` (exact, case-sensitive as XML is).
    public func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// The direct children called `name`.
    public func elements(named name: String) -> [XMLElement] {
        children.filter { $0.name == name }
    }
}

/// Why a document is not well-formed, with where (byte offset, line and column, 1-based).
public struct XMLParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var line: Int
    public var column: Int
    public var reason: String

    public init(offset: Int, line: Int, column: Int, reason: String) {
        self.offset = offset
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "XML line \(line), column \(column): \(reason)" }
}
