/// One terminal cell: a single Unicode scalar and what it means. Storing a scalar (not a String) keeps a
/// 200x60 frame at 12,000 small values and building one allocation-free per cell.
public struct Cell: Hashable, Sendable {
    /// Marks the second column of a double-width character; never drawn itself.
    public static let continuation: Unicode.Scalar = "\u{0}"
    public static let blank = Cell(scalar: " ", role: .normal)

    public var scalar: Unicode.Scalar
    public var role: StyleRole

    public init(scalar: Unicode.Scalar, role: StyleRole) {
        self.scalar = scalar
        self.role = role
    }

    public var isContinuation: Bool { scalar == Cell.continuation }
}
