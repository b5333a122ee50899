import Foundation
import XCTest

/// Compares text with Tests/VNetConsoleTests/Golden/<name>.txt. With VNET_UPDATE_GOLDEN=1 the file is
/// (re)written instead and the test notes it; review the diff before committing.
func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
    let directory = URL(fileURLWithPath: "\(file)").deletingLastPathComponent().appendingPathComponent("Golden")
    let url = directory.appendingPathComponent(name + ".txt")
    let content = text.hasSuffix("\n") ? text : text + "\n"
    if ProcessInfo.processInfo.environment["VNET_UPDATE_GOLDEN"] == "1" {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        XCTAssertNoThrow(try content.write(to: url, atomically: true, encoding: .utf8), file: file, line: line)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        XCTFail("missing golden \(name).txt: run with VNET_UPDATE_GOLDEN=1 and review it", file: file, line: line)
        return
    }
    if expected != content {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let b = content.split(separator: "\n", omittingEmptySubsequences: false)
        var report = "golden \(name).txt differs (VNET_UPDATE_GOLDEN=1 regenerates):\n"
        for i in 0..<max(a.count, b.count) where (i < a.count ? a[i] : "<none>") != (i < b.count ? b[i] : "<none>") {
            report += "line \(i + 1)\n  expected: \(i < a.count ? a[i] : "<none>")\n  actual:   \(i < b.count ? b[i] : "<none>")\n"
        }
        XCTFail(report, file: file, line: line)
    }
}
