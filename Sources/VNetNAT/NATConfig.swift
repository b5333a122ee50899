import VNetModel

extension NATConfig {
    /// nft identifiers: a letter first, then letters, digits, '_' or '-'; kept short so every comment and
    /// error stays readable. Checked because the name ends up in every command we send.
    static func validate(tableName: String) throws(NATError) {
        let bytes = Array(tableName.utf8)
        func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        guard let first = bytes.first, isLetter(first), bytes.count <= 64,
              bytes.allSatisfy({ isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else {
            throw .invalidConfiguration(
                "table name \"\(tableName)\" must be 1-64 ASCII letters, digits, '_' or '-', starting with a letter")
        }
    }
}
