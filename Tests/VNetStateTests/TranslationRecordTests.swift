import XCTest
import VNetModel
@testable import VNetState

/// An endpoint's public IP and host ports: written by both writers, read by both readers, absent in older
/// documents, and found by a read focused on another attachment (what an ADD checks its own against).
final class TranslationRecordTests: XCTestCase {
    private func sample() -> NetworkState {
        var state = StateDocumentCodecTests.sample(pods: 12)
        state.endpoints[2].publicIP = IPv4Address(198, 51, 100, 10)
        state.endpoints[5].portMappings = [PortMapping(hostPort: 8080, containerPort: 80),
                                           PortMapping(hostPort: 53, containerPort: 5353, transport: .udp, hostIP: IPv4Address(10, 240, 0, 4))]
        state.endpoints[7].publicIP = IPv4Address(198, 51, 100, 11)
        state.endpoints[7].portMappings = [PortMapping(hostPort: 9090, containerPort: 90)]
        return state
    }

    /// The general writer's document, sealed as StateDocumentCodecTests seals it.
    private func general(_ state: NetworkState) -> [UInt8] {
        var bytes = JSONWriter.bytes(StateDocument.json(state), pretty: true) + [UInt8(ascii: "\n")]
        let marker = DocumentSeal.marker
        if let at = (0...(bytes.count - marker.count)).last(where: { Array(bytes[$0..<($0 + marker.count)]) == marker }) {
            DocumentSeal.apply(&bytes, at: at + marker.count)
        }
        return bytes
    }

    func testBothWritersAndReadersAgree() throws {
        let state = sample()
        let bytes = try StateCodec.encode(state)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), String(decoding: general(state), as: UTF8.self))
        guard case .success(let fast) = StateCodec.decode(bytes), case .success(let slow) = StateCodec.decode(bytes, reader: .general) else {
            return XCTFail("refused")
        }
        XCTAssertEqual(fast, state)
        XCTAssertEqual(slow, state)
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.contains(#""publicIP": "198.51.100.10""#), text)
        XCTAssertTrue(text.contains(#""hostIP": "10.240.0.4""#), text)
    }

    func testOlderDocumentsHaveNeither() throws {
        let state = StateDocumentCodecTests.sample(pods: 5)
        let text = String(decoding: try StateCodec.encode(state), as: UTF8.self)
        XCTAssertFalse(text.contains("publicIP") || text.contains("portMappings"))
        guard case .success(let read) = StateCodec.decode(Array(text.utf8), reader: .general) else { return XCTFail("refused") }
        XCTAssertTrue(read.endpoints.allSatisfy { $0.publicIP == nil && $0.portMappings.isEmpty })
    }

    func testAFocusedReadFindsTheOthersTranslations() throws {
        let state = sample()
        let bytes = try StateCodec.encode(state)
        for index in [0, 2, 5, 7, 9] {
            let key = state.endpoints[index].key
            guard case .success(.inPart(let document)) = StateCodec.decodeDocument(bytes, for: key) else { return XCTFail("not read in part") }
            XCTAssertEqual(document.attachment, state.attachment(key))
            XCTAssertEqual(document.attachment.translated.map(\.key), [2, 5, 7].filter { $0 != index }.map { state.endpoints[$0].key })
        }
    }
}
