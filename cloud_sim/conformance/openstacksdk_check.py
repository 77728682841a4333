"""Drives a running cloud_sim with the official openstacksdk for the operations the control plane uses.

Usage: python openstacksdk_check.py http://127.0.0.1:8900
Prints one PASS/FAIL line per step and exits non-zero if any step failed.
"""
import sys
import time
import traceback

import openstack

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8900"
results = []


def step(name):
    def wrap(fn):
        def run(*args, **kwargs):
            try:
                value = fn(*args, **kwargs)
                results.append((name, True, ""))
                print(f"PASS {name}")
                return value
            except Exception as exc:  # report and continue with the next step
                results.append((name, False, repr(exc)))
                print(f"FAIL {name}: {exc!r}")
                traceback.print_exc(limit=3)
                return None
        return run
    return wrap


def wait(fetch, ok, timeout=20.0):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fetch()
        if ok(last):
            return last
        time.sleep(0.2)
    raise TimeoutError(f"timed out, last={last}")


conn = openstack.connect(
    auth_url=f"{BASE}/identity/v3",
    username="cloudplane",
    password="cloudplane-secret",
    project_name="service",
    user_domain_name="Default",
    project_domain_name="Default",
    region_name="RegionOne",
    compute_api_version="2.79",
    volume_api_version="3",
)

state = {}


@step("identity: authorize and read the catalog")
def auth():
    token = conn.authorize()
    assert token
    assert conn.session.get_endpoint(service_type="compute", interface="public").startswith(BASE)


@step("identity: create project and user, assign member role")
def identity():
    project = conn.identity.create_project(name="sdk-project", domain_id="default")
    user = conn.identity.create_user(name="sdk-user", password="pw", domain_id="default")
    role = conn.identity.find_role("member")
    conn.identity.assign_project_role_to_user(project, user, role)
    assert conn.identity.validate_user_has_project_role(project, user, role)
    assert any(p.id == project.id for p in conn.identity.projects())
    state["project"] = project


@step("compute: list flavors and availability zones")
def flavors():
    names = [f.name for f in conn.compute.flavors()]
    assert "m1.small" in names, names
    assert list(conn.compute.availability_zones())


@step("image: list images")
def images():
    imgs = list(conn.image.images())
    assert imgs
    state["image"] = imgs[0]


@step("network: list networks, create port")
def port():
    nets = [n for n in conn.network.networks() if not n.is_router_external and n.project_id == conn.current_project_id]
    assert nets
    state["port"] = conn.network.create_port(network_id=nets[0].id, name="sdk-port")
    assert state["port"].fixed_ips


@step("network: security group with default egress rules, add and delete a rule")
def security_group():
    sg = conn.network.create_security_group(name="sdk-sg", description="from sdk")
    assert len(sg.security_group_rules) == 2
    rule = conn.network.create_security_group_rule(
        security_group_id=sg.id, direction="ingress", ethertype="IPv4", protocol="tcp",
        port_range_min=22, port_range_max=22, remote_ip_prefix="0.0.0.0/0")
    rules = list(conn.network.security_group_rules(security_group_id=sg.id))
    assert len(rules) == 3
    conn.network.delete_security_group_rule(rule)
    conn.network.delete_security_group(sg)


@step("block storage: create volume and wait for available")
def volume():
    v = conn.block_storage.create_volume(size=1, name="sdk-vol")
    state["volume"] = conn.block_storage.wait_for_status(v, status="available", wait=20, interval=0.2)


@step("block storage: extend volume")
def extend():
    v = state["volume"]
    conn.block_storage.extend_volume(v, 2)
    v = wait(lambda: conn.block_storage.get_volume(v.id), lambda x: x.status == "available" and x.size == 2)
    state["volume"] = v


@step("compute: boot from volume on the port and wait for ACTIVE")
def server():
    s = conn.compute.create_server(
        name="sdk-server", flavor_id="2", networks=[{"port": state["port"].id}],
        block_device_mapping=[{"uuid": state["image"].id, "source_type": "image", "destination_type": "volume",
                               "boot_index": 0, "volume_size": 10, "delete_on_termination": True}])
    state["server"] = conn.compute.wait_for_server(s, status="ACTIVE", wait=20, interval=0.2)


@step("compute: list servers with details and all_tenants")
def list_servers():
    ids = [s.id for s in conn.compute.servers(details=True, all_projects=True)]
    assert state["server"].id in ids


@step("compute: attach and detach a volume")
def attach():
    s, v = state["server"], state["volume"]
    conn.compute.create_volume_attachment(s, volume_id=v.id)
    wait(lambda: conn.block_storage.get_volume(v.id), lambda x: x.status == "in-use")
    conn.compute.delete_volume_attachment(s, v.id)
    wait(lambda: conn.block_storage.get_volume(v.id), lambda x: x.status == "available")


@step("compute: stop and start")
def power():
    s = state["server"]
    conn.compute.stop_server(s)
    conn.compute.wait_for_server(s, status="SHUTOFF", wait=20, interval=0.2)
    conn.compute.start_server(s)
    conn.compute.wait_for_server(s, status="ACTIVE", wait=20, interval=0.2)


@step("compute: VNC console URL")
def console():
    c = conn.compute.create_console(state["server"], console_type="novnc")
    assert c["url"].startswith("http")


@step("network: floating IP create, associate, disassociate, delete")
def fip():
    ext = next(n for n in conn.network.networks(is_router_external=True))
    ip = conn.network.create_ip(floating_network_id=ext.id)
    ip = conn.network.update_ip(ip, port_id=state["port"].id)
    assert ip.port_id == state["port"].id
    ip = conn.network.update_ip(ip, port_id=None)
    assert ip.port_id is None
    conn.network.delete_ip(ip)


@step("compute: keypair create, list, delete")
def keypair():
    kp = conn.compute.create_keypair(name="sdk-key")
    assert kp.private_key
    assert any(k.name == "sdk-key" for k in conn.compute.keypairs())
    conn.compute.delete_keypair(kp)


@step("compute: server metadata set and read")
def metadata():
    s = state["server"]
    conn.compute.set_server_metadata(s, inventory_id="inv-1")
    assert conn.compute.get_server_metadata(s).metadata["inventory_id"] == "inv-1"


@step("compute: interface attach and detach")
def interfaces():
    s = state["server"]
    nets = [n for n in conn.network.networks() if not n.is_router_external and n.project_id == conn.current_project_id]
    extra = conn.network.create_port(network_id=nets[0].id, name="sdk-extra")
    conn.compute.create_server_interface(s, port_id=extra.id)
    assert len(list(conn.compute.server_interfaces(s))) == 2
    conn.compute.delete_server_interface(extra.id, server=s)
    conn.network.delete_port(extra)


@step("compute: paginated listing and changes-since")
def paging():
    for i in range(3):
        conn.compute.create_server(name=f"sdk-page-{i}", flavor_id="1", image_id=state["image"].id, networks="none")
    names = [s.name for s in conn.compute.servers(limit=2)]
    assert sum(1 for n in names if n.startswith("sdk-page-")) == 3, names
    changed = list(conn.compute.servers(changes_since="2000-01-01T00:00:00Z"))
    assert len(changed) >= 4
    for s in list(conn.compute.servers(name="^sdk-page-")):
        conn.compute.delete_server(s)


@step("compute: resize and confirm")
def resize():
    s = state["server"]
    conn.compute.resize_server(s, "3")
    conn.compute.wait_for_server(s, status="VERIFY_RESIZE", wait=20, interval=0.2)
    conn.compute.confirm_server_resize(s)
    s = conn.compute.wait_for_server(s, status="ACTIVE", wait=20, interval=0.2)
    assert s.flavor.original_name == "m1.medium"


@step("network: tags on a port")
def tags():
    p = state["port"]
    conn.network.set_tags(p, ["inv-1"])
    assert "inv-1" in conn.network.get_port(p.id).tags


@step("block storage: volume types")
def volume_types():
    assert any(t.name == "lvm-1" for t in conn.block_storage.types())


@step("identity: role assignments listing")
def assignments():
    project = state.get("project")
    assert list(conn.identity.role_assignments(scope_project_id=project.id))


@step("compute: delete server and wait until gone")
def delete_server():
    conn.compute.delete_server(state["server"])
    conn.compute.wait_for_delete(state["server"], wait=20, interval=0.2)


@step("cleanup: delete volume and port")
def cleanup():
    conn.block_storage.delete_volume(state["volume"])
    conn.block_storage.wait_for_delete(state["volume"], wait=20, interval=0.2)
    conn.network.delete_port(state["port"])


for fn in [auth, identity, flavors, images, port, security_group, volume, extend, server, list_servers,
           attach, power, console, fip, keypair, metadata, interfaces, paging, resize, tags, volume_types,
           assignments, delete_server, cleanup]:
    fn()

failed = [r for r in results if not r[1]]
print(f"{len(results) - len(failed)}/{len(results)} steps passed")
sys.exit(1 if failed else 0)
