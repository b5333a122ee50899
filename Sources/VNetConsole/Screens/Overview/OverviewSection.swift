/// One block of the overview (pool, a gauge, NAT, alerts...). Like htop's meters, a section first turns the
/// snapshot into the values it shows (in its initializer, so they can be tested without a frame), then
/// draws them from the pen's row, leaving the pen on the row after it.
protocol OverviewSection {
    func draw(_ pen: inout Pen, into frame: inout Frame)
}
