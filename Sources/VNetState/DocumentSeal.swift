/// A digest of the state document's own bytes, kept in it as `"seal": "<16 hex digits>"`.
///
/// Why: a CNI call that concerns one attachment needs every other record's key and address and nothing else
/// of it, and parsing every value of a 250-pod document was what still grew with the pods (docs/state.md).
/// A document whose seal is intact is byte for byte what vnet's writer wrote, so its records can be found by
/// that layout and only the key and address read (`StateDocumentFastReader`, partial reads). A document
/// whose seal is missing or wrong (written by hand, damaged, written by an older vnet) is read whole, as
/// before, and refused when it is not valid. The digest guards against accidents, not against someone who
/// can write the file: such a person can write any state anyway.
enum DocumentSeal {
    /// Hex digits of the seal's value.
    static let width = 16
    /// What the writer puts first, and what the digest reads in the seal's place.
    static let placeholder = String(repeating: "0", count: width)
    /// The member as the writer writes it, up to the value's first digit.
    static let marker: [UInt8] = Array("\"seal\": \"".utf8)

    /// The digest of `bytes` taken with the seal's digits (at `offset`) read as zeros: FNV-1a over 64-bit
    /// words in four lanes (word i goes to lane i mod 4), the lanes then folded together and mixed with the
    /// length. Every change of a single word changes it (xor and a multiplication by an odd number are both
    /// invertible, within its lane and in the fold), and a cut changes the length.
    ///
    /// Why four lanes: each step waits for the multiplication before it, so one lane ran at the speed of
    /// the multiplier's latency, ~35 us per digest of a 250-pod document, twice per commit, and the time
    /// grew with the pods. Four independent lanes keep the multiplier busy. (Documents sealed by the
    /// one-lane digest of an earlier vnet no longer match and are read whole once; the next commit seals
    /// them anew.)
    static func digest(_ bytes: UnsafeBufferPointer<UInt8>, sealAt offset: Int) -> UInt64 {
        guard let base = bytes.baseAddress, offset >= 0, offset + width <= bytes.count else { return 0 }
        let prime: UInt64 = 0x0000_0100_0000_01b3
        let zeros = UInt64(0x3030_3030_3030_3030)  // eight ASCII "0"
        let basis: UInt64 = 0xcbf2_9ce4_8422_2325
        var lane0 = basis, lane1 = basis ^ 1, lane2 = basis ^ 2, lane3 = basis ^ 3
        var index = 0
        let raw = UnsafeRawPointer(base)
        // Blocks of four whole words before the seal, nearly all of the document, in a loop with nothing else.
        let blocks = min(offset, bytes.count) / 32 * 32
        while index < blocks {
            lane0 = (lane0 ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* prime
            lane1 = (lane1 ^ raw.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)) &* prime
            lane2 = (lane2 ^ raw.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self)) &* prime
            lane3 = (lane3 ^ raw.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self)) &* prime
            index += 32
        }
        // The rest, a word at a time into its lane, the seal's read as zeros (a word that overlaps it takes
        // "0" for its bytes), then the last bytes with their count.
        func step(_ word: UInt64, at position: Int) {
            switch (position / 8) % 4 {
            case 0: lane0 = (lane0 ^ word) &* prime
            case 1: lane1 = (lane1 ^ word) &* prime
            case 2: lane2 = (lane2 ^ word) &* prime
            default: lane3 = (lane3 ^ word) &* prime
            }
        }
        while index + 8 <= bytes.count {
            var word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if index + 8 > offset && index < offset + width {
                for byte in 0..<8 where index + byte >= offset && index + byte < offset + width {
                    let shift = UInt64(8 * byte)
                    word = word & ~(0xFF << shift) | (zeros & (0xFF << shift))
                }
            }
            step(word, at: index)
            index += 8
        }
        var tail: UInt64 = 0
        for byte in 0..<(bytes.count - index) {
            let value = index + byte >= offset && index + byte < offset + width ? UInt8(ascii: "0") : base[index + byte]
            tail |= UInt64(value) << UInt64(8 * byte)
        }
        if index < bytes.count { step(tail ^ UInt64(bytes.count - index) << 56, at: index) }
        let folded = lane0 ^ (lane1 << 16 | lane1 >> 48) ^ (lane2 << 32 | lane2 >> 32) ^ (lane3 << 48 | lane3 >> 16)
        var mixed = folded ^ UInt64(bytes.count)
        mixed = (mixed ^ (mixed >> 33)) &* 0xff51_afd7_ed55_8ccd
        mixed = (mixed ^ (mixed >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return mixed ^ (mixed >> 33)
    }

    /// Writes the digest of `bytes` into its seal at `offset` (which holds the placeholder).
    static func apply(_ bytes: inout [UInt8], at offset: Int) {
        let value = bytes.withUnsafeBufferPointer { digest($0, sealAt: offset) }
        let digits = Array("0123456789abcdef".utf8)
        for index in 0..<width {
            bytes[offset + index] = digits[Int((value >> UInt64(4 * (width - 1 - index))) & 0xF)]
        }
    }

    /// Whether `bytes` carries an intact seal where vnet's writer puts it: the last member.
    static func isIntact(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // The document ends `"seal": "<digits>"\n}\n`: look for the marker in its last bytes.
        let tail = max(0, bytes.count - 96)
        guard bytes.count > marker.count + width, let found = lastMarker(in: bytes, from: tail) else { return false }
        let offset = found + marker.count
        guard offset + width < bytes.count, bytes[offset + width] == UInt8(ascii: "\"") else { return false }
        var value: UInt64 = 0
        for index in 0..<width {
            let byte = bytes[offset + index]
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            default: return false
            }
            value = value << 4 | UInt64(nibble)
        }
        return value == digest(bytes, sealAt: offset)
    }

    private static func lastMarker(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = bytes.count - marker.count
        while index >= start {
            if bytes[index] == marker[0], bytes[index + 1] == marker[1],
               (0..<marker.count).allSatisfy({ bytes[index + $0] == marker[$0] }) { return index }
            index -= 1
        }
        return nil
    }
}
