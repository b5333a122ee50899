/// A fixed number of the newest values, oldest first when read: a history's memory is its capacity, however
/// long the console runs.
public struct Ring<Element: Sendable>: Sendable {
    public let capacity: Int
    private var storage: [Element] = []
    /// Where the next value goes once the storage is full.
    private var head = 0

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        storage.reserveCapacity(self.capacity)
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }

    public mutating func append(_ value: Element) {
        if storage.count < capacity {
            storage.append(value)
        } else {
            storage[head] = value
            head = (head + 1) % capacity
        }
    }

    /// The `i`th oldest value kept.
    public subscript(i: Int) -> Element { storage[(head + i) % storage.count] }

    public var last: Element? { storage.isEmpty ? nil : self[storage.count - 1] }

    /// Oldest first.
    public var elements: [Element] { (0..<storage.count).map { self[$0] } }
}
