/// Breaks text into lines of at most `width` columns at spaces, cutting words longer than a line. Error
/// messages carry paths and addresses without spaces, so a long word is cut rather than lost.
enum TextWrap {
    static func lines(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
                var word = Substring(word)
                while Frame.displayWidth(String(word)) > width {
                    if !line.isEmpty { lines.append(line); line = "" }
                    lines.append(String(word.prefix(width)))
                    word = word.dropFirst(width)
                }
                guard !word.isEmpty else { continue }
                if line.isEmpty {
                    line = String(word)
                } else if Frame.displayWidth(line) + 1 + Frame.displayWidth(String(word)) <= width {
                    line += " " + word
                } else {
                    lines.append(line)
                    line = String(word)
                }
            }
            lines.append(line)
        }
        return lines
    }
}
