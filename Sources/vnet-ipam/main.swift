import CNI
import IPAMCNI

// vnet-ipam: the CNI IPAM plugin. All logic lives in IPAMCNI and VNetIPAM.
CNIMain.run(VNetIPAMPlugin())
