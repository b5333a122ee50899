"""Connections tried for real between namespaces: listeners that accept TCP and echo UDP on many ports, and
a client that tries many flows at once from one namespace and says which got through."""
import json
import subprocess

from vnettest.netns import sh

LISTENER = (
    "import socket,sys,threading\n"
    "def tcp(port):\n"
    "    s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(('0.0.0.0',port)); s.listen(64)\n"
    "    while True:\n"
    "        c,_=s.accept(); c.close()\n"
    "def udp(port):\n"
    "    s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('0.0.0.0',port))\n"
    "    while True:\n"
    "        d,a=s.recvfrom(2048); s.sendto(d,a)\n"
    "ports=[int(p) for p in sys.argv[1].split(',')]\n"
    "for p in ports:\n"
    "    threading.Thread(target=tcp,args=(p,),daemon=True).start()\n"
    "    threading.Thread(target=udp,args=(p,),daemon=True).start()\n"
    "print('ready',flush=True)\n"
    "threading.Event().wait()\n")

CLIENT = (
    "import json,socket,subprocess,sys,threading\n"
    "flows=json.loads(sys.argv[1]); timeout=float(sys.argv[2]); out=[None]*len(flows)\n"
    "def one(i,f):\n"
    "    proto,addr,port=f\n"
    "    try:\n"
    "        if proto=='tcp':\n"
    "            socket.create_connection((addr,port),timeout=timeout).close(); out[i]=True\n"
    "        elif proto=='udp':\n"
    "            s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(timeout/3)\n"
    "            for _ in range(3):\n"
    "                s.sendto(b'x',(addr,port))\n"
    "                try:\n"
    "                    s.recvfrom(64); out[i]=True; return\n"
    "                except socket.timeout:\n"
    "                    pass\n"
    "            out[i]=False\n"
    "        else:\n"
    "            r=subprocess.run(['ping','-c','1','-W',str(max(1,int(timeout))),'-q',addr],capture_output=True)\n"
    "            out[i]=r.returncode==0\n"
    "    except OSError:\n"
    "        out[i]=False\n"
    "ts=[threading.Thread(target=one,args=(i,f)) for i,f in enumerate(flows)]\n"
    "[t.start() for t in ts]; [t.join() for t in ts]\n"
    "print(json.dumps(out))\n")


class Listener:
    """TCP (accept and close) and UDP (echo) on `ports` in a namespace, until stopped."""

    def __init__(self, ns, ports):
        self.proc = subprocess.Popen(["nsenter", f"--net={ns.path}", "/usr/bin/python3", "-c", LISTENER,
                                      ",".join(str(p) for p in ports)],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.proc.stdout.readline()

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def reach(netns_path, flows, timeout=1.0):
    """Tries every (protocol, address, port) flow at once from the namespace at `netns_path` ("icmp" pings;
    its port is ignored); returns a list of booleans, True where the other end answered."""
    out = sh("nsenter", f"--net={netns_path}", "/usr/bin/python3", "-c", CLIENT, json.dumps(flows), str(timeout))
    return json.loads(out.stdout)
