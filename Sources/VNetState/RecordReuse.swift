import VNetModel

/// Where each lease and endpoint record of a document sits in its bytes.
///
/// Why: every ADD and DEL commits the whole document, and writing ~250 records again when one changed
/// was half of the state's cost and grew with the pods on the node. A commit copies the bytes of every
/// record it did not change from the document it loaded (`StateDocumentWriter`) and writes only the
/// changed ones. The spans come from the direct reader, which reads exactly what vnet writes, or from
/// the writer itself.
struct RecordSpans: Sendable, Equatable {
    var leases: [Range<Int>] = []
    var endpoints: [Range<Int>] = []
}

/// A document this process read or wrote: its bytes, what they decode to, and where its records are.
/// Any such triple is a valid source for reuse, whichever commit comes next: a record is copied only
/// when it equals the record those bytes hold.
struct WrittenDocument: Sendable {
    var bytes: [UInt8]
    var state: NetworkState
    var spans: RecordSpans
}

/// Walks the records of the previous document beside the new state's records, in order. A commit changes
/// few records and keeps the order of the rest (ADD appends; DEL and GC remove; an update replaces in
/// place), so each new record is found at the cursor or a few records after it; anything else is written.
struct RecordMatcher<Record: Equatable> {
    private let previous: [Record]
    private let spans: [Range<Int>]
    private var cursor = 0
    /// How far past the cursor to look for a record: the number of removals next to each other that still
    /// keep the records after them copied.
    private static var window: Int { 8 }

    init(previous: [Record], spans: [Range<Int>]) {
        // Spans that do not describe these records (never expected) disable reuse rather than risk it.
        self.previous = previous.count == spans.count ? previous : []
        self.spans = previous.count == spans.count ? spans : []
    }

    /// The span of `record` in the previous document, when it is there unchanged.
    mutating func span(of record: Record) -> Range<Int>? {
        let end = min(previous.count, cursor + Self.window)
        var index = cursor
        while index < end {
            if previous[index] == record {
                cursor = index + 1
                return spans[index]
            }
            index += 1
        }
        return nil
    }
}
