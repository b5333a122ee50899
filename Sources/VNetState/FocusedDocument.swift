import VNetModel

/// A document read for one attachment (`StateStore.load(for:)`, `StateDocumentFastReader.readFocused`): the
/// attachment's state, and where the records it holds nothing of lie in the bytes, for a commit to copy.
///
/// The records it did not read stay bytes here, in VNetState: what leaves it is an `AttachmentState`, whose
/// every value is one the document holds. A commit (`StateDocumentWriter.bytes(_:over:generation:)`) copies
/// the other records and writes the attachment's own where they were, and writes exactly the bytes that
/// `NetworkState.apply(_:)` on the document read whole, then committed, would write: the state fuzz target
/// and `FocusedReadTests` compare the two.
struct FocusedDocument: Sendable {
    var bytes: [UInt8]
    /// The attachment's state as read.
    var attachment: AttachmentState
    /// Every lease record, in the document's order, the attachment's included.
    var leaseSpans: [Range<Int>]
    /// Which of `leaseSpans` is the attachment's lease.
    var focusLease: Int?
    /// The run of endpoint records before the attachment's (all of them when it has none), its record, and
    /// the run after it.
    var endpointsBefore: Range<Int>?
    var focusEndpoint: Range<Int>?
    var endpointsAfter: Range<Int>?
    /// `NetworkState.integrityProblems` of the leases (found as the document was read).
    var integrityProblems: [String]
}

/// A document read for one attachment: in part (the usual case), or whole when it could not be (no intact
/// seal, a layout the focused read does not take, a second endpoint record for the attachment).
enum ReadForAttachment: Sendable {
    case inPart(FocusedDocument)
    case whole(WrittenDocument)
}
