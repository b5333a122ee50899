import CMnl
import VNetModel

extension Netlink {
    /// Every link's 64-bit counters by ifindex, from one RTM_GETSTATS dump.
    ///
    /// Why beside `links()`: a full link dump makes the kernel fill ~50 attributes per link (IPv4 and
    /// IPv6 settings and statistics, bridge port attributes, ...), which was most of the console's refresh
    /// on a 250-pod node; the counters alone are one attribute. Names, masters and states change only with
    /// a link event, so a caller that listens for those can pair this with a cached `links()`.
    public func linkCounters() throws(NetlinkError) -> [Int32: LinkCounters] {
        var header = if_stats_msg()
        header.filter_mask = vnet_ifla_stats_filter_link64()
        let messages = try dump(RTM_GETSTATS, header: header, label: RequestLabel(operation: "dump link counters", object: ""))
        var counters: [Int32: LinkCounters] = [:]
        counters.reserveCapacity(messages.count)
        for message in messages where message.type == RTM_NEWSTATS {
            guard let stats = message.header(if_stats_msg.self),
                  let values = message.attributes(after: if_stats_msg.self).structure(IFLA_STATS_LINK_64, zero: rtnl_link_stats64())
            else { continue }
            counters[Int32(bitPattern: stats.ifindex)] = LinkCounters(
                rxBytes: values.rx_bytes, txBytes: values.tx_bytes, rxPackets: values.rx_packets, txPackets: values.tx_packets,
                rxDropped: values.rx_dropped, txDropped: values.tx_dropped, rxErrors: values.rx_errors, txErrors: values.tx_errors)
        }
        return counters
    }
}
