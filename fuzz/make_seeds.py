"""Writes the seed corpora in fuzz/corpus/ from the signing fixtures, the actions' example
parameters in the fixtures, rewind.example.toml and the documented answer shapes.

    python3 fuzz/make_seeds.py      (from the workspace root; rewrites fuzz/corpus/)
"""
import json, os, glob, re, shutil, urllib.parse
ROOT=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX=sorted(glob.glob(ROOT+'/crates/cloud/tests/fixtures/sign/*.json'))
C=ROOT+'/fuzz/corpus'
shutil.rmtree(C, ignore_errors=True)
def w(target, name, data):
    d=os.path.join(C,target); os.makedirs(d,exist_ok=True)
    if isinstance(data,str): data=data.encode()
    open(os.path.join(d,name),'wb').write(data)

# ---- validate_ids
KINDS=['LhInstance','LhSnapshot','LhDisk','EcsInstance','EcsDisk','EcsSnapshot','WsSnapshot','WsDesktop','WsJob','WsProject']
EX=['lhins-k31c771o','lhsnap-nv6aqcv6','lhdisk-k31c771o','i-bp67acfmxazb4ph','d-bp199lyny9b3xxxx','s-bp199lyny9b3xxxx',
    '1792d3eb-35c6-4e99-8381-abfc8e02126b','1792d3eb-35c6-4e99-8381-abfc8e02126b','1792d3eb-35c6-4e99-8381-abfc8e02126b','0a1b2c3d4e5f60718293a4b5c6d7e8f9']
for i,(k,e) in enumerate(zip(KINDS,EX)):
    w('validate_ids', f'{i:02}-{k}', bytes([i])+e.encode())
w('validate_ids','list-lighthouse', bytes([1])+' lhsnap-nv6aqcv6\nlhsnap-nv6aqcv6, lhsnap-NV6AQCV6;lhsnap-nv6aqcv7\n\n'.encode())
w('validate_ids','legacy-ecs', bytes([0x14])+'1033-60053321\nd-bp1\u0430bc\n'.encode())
w('validate_ids','lookalike', bytes([0])+'lhins-ｋ31c771o'.encode())
w('validate_ids','ws-list', bytes([6])+'1792d3eb-35c6-4e99-8381-abfc8e02126b,\u200b1792d3eb\n'.encode())

# ---- validate_params / emulator / authorization from sign fixtures
ACTIONS={('tencent','DescribeInstances'):0,('tencent','DescribeSnapshots'):1,('tencent','ApplyInstanceSnapshot'):2,
 ('tencent','CreateInstanceSnapshot'):3,('tencent','StopInstances'):4,('tencent','StartInstances'):5,
 ('alibaba','DescribeInstances'):6,('alibaba','DescribeDisks'):7,('alibaba','DescribeSnapshots'):8,('alibaba','ResetDisk'):9,
 ('alibaba','CreateSnapshot'):10,('alibaba','StopInstance'):11,('alibaba','StartInstance'):12,
 ('huawei','ListDesktopSnapshot'):13,('huawei','BatchRestoreDesktopSnapshot'):14,('huawei','ShowJob'):15}
seen={}
fx=[json.load(open(f)) for f in FIX]
for f in fx:
    inp=f['input']; prov=inp['provider'].split('-')[0]
    idx=ACTIONS.get((prov,inp['action']))
    if idx is None: continue
    n=seen.get(idx,0)
    if n>=2: continue
    seen[idx]=n+1
    w('validate_params', f'{idx:02}-{inp["action"]}-{n}', bytes([idx,0])+json.dumps(inp['params'],ensure_ascii=False).encode())
w('validate_params','09-ResetDisk-messy', bytes([9,1])+b'{"DiskId":" 1033-60053321 ","SnapshotId":"s-bp1","DryRun":"true","Extra":1}')
w('validate_params','13-List-csv', bytes([13,0])+b'{"desktop_ids":"a-1,b-2","sort_type":"asc","limit":1001,"status":"available"}')
w('validate_params','00-filters', bytes([0,0])+b'{"Filters":[{"Name":"tag:env","Values":["prod"]},{"Name":"zone","Values":[]}],"Order":"desc","Limit":101}')

def req_text(f, strip_auth=False, demo_host=None):
    s=f['sent']; u=urllib.parse.urlsplit(s['url'])
    host=demo_host or u.netloc
    lines=[f"{s['method']} {host} {u.path or '/'}"+(f"?{u.query}" if u.query else '')]
    for k,v in s['headers']:
        if k.lower() in ('accept-encoding','user-agent','content-length','connection','accept'): continue
        if k.lower()=='host': continue
        if strip_auth and k.lower()=='authorization': continue
        lines.append(f'{k}: {v}')
    body=s.get('body') or ''
    if isinstance(body,dict) or isinstance(body,list): body=json.dumps(body)
    return '\n'.join(lines)+'\n\n'+body
byalg={}
for f in fx:
    a=f['algorithm']; byalg.setdefault(a,[]).append(f)
for a,lst in sorted(byalg.items()):
    for f in lst[:2]:
        inp=f['input']
        w('authorization', f['name'], f"{inp['time']} {inp['credentials']['secret']}\n"+req_text(f))
    for j,f in enumerate(lst[:2]):
        sel={'tc3':0,'acs3':1,'acs-v1':2,'sdk-hmac':3}[a]
        t=req_text(f, strip_auth=True, demo_host='127.0.0.1:8090')
        # The demo account's project, so Workspace requests get past the project check.
        t=re.sub(r'/v2/[^/]+/', '/v2/0000000000000000000000000000de01/', t)
        if a=='acs-v1':
            # v1 puts its signature parameters in the query: leave them to the signer.
            head,_,body=t.partition('\n\n'); first,_,rest=head.partition('\n')
            m,h,target=first.split(' ',2); p,_,q=target.partition('?')
            q='&'.join(x for x in q.split('&') if x.split('=')[0] not in ('Signature','SignatureMethod','SignatureVersion','SignatureNonce','Timestamp','AccessKeyId'))
            t=f'{m} {h} {p}?{q}\n{rest}\n\n{body}'
        w('emulator_params', f"{f['name']}", bytes([sel])+t.encode())
w('emulator_params','tencent-get', bytes([8])+b'GET 127.0.0.1:8090 /?InstanceIds.0=lhins-a&Filters.0.Name=zone&Filters.0.Values.0=ap-guangzhou-3&Limit=5\nX-TC-Action: DescribeInstances\nX-TC-Version: 2020-03-24\nX-TC-Region: ap-guangzhou\nContent-Type: application/x-www-form-urlencoded\n\n')
w('emulator_params','tencent-form', bytes([0])+b'POST 127.0.0.1:8090 /\nX-TC-Action: DescribeSnapshots\nX-TC-Region: ap-guangzhou\nContent-Type: application/x-www-form-urlencoded\n\nSnapshotIds.0=lhsnap-nv6aqcv6&Offset=0&Limit=20')
w('emulator_params','ecs-form', bytes([1])+b'POST ecs.cn-hangzhou.aliyuncs.com /\nx-acs-action: CreateSnapshot\nx-acs-version: 2014-05-26\nContent-Type: application/x-www-form-urlencoded\n\nRegionId=cn-hangzhou&DiskId=d-nope&Tag.1.Key=env&Tag.1.Value=prod&Tag.2.Key=x&SnapshotName=before-upgrade')
w('emulator_params','ws-list', bytes([3])+b'GET 127.0.0.1:8090 /v2/0000000000000000000000000000de01/snapshots?limit=10&offset=0&desktop_ids=a,b&sort_field=create_time&sort_type=DESC\nContent-Type: application/json\n\n')
w('emulator_params','ws-restore', bytes([3])+b'POST 127.0.0.1:8090 /v2/0000000000000000000000000000de01/snapshots/batch-restore\nContent-Type: application/json\nX-Project-Id: 0000000000000000000000000000de01\n\n{"snapshot_ids":["1792d3eb-35c6-4e99-8381-abfc8e02126b"]}')
w('emulator_params','ws-job', bytes([3])+b'GET 127.0.0.1:8090 /v2/0000000000000000000000000000de02/workspace-jobs/1792d3eb-35c6-4e99-8381-abfc8e02126b\n\n')

# ---- parse_response
def pr(name, prov, status, body, hdr=False):
    w('parse_response', name, bytes([prov | (4 if hdr else 0), status>>8, status&255])+body.encode())
pr('tencent-ok',0,200,'{"Response":{"TotalCount":1,"InstanceSet":[{"InstanceId":"lhins-k31c771o","InstanceState":"RUNNING"}],"RequestId":"6ef60bec-0242-43af-bb20-270359fb54a7"}}')
pr('tencent-error',0,200,'{"Response":{"Error":{"Code":"UnsupportedOperation.InvalidInstanceState","Message":"The instance state does not support this operation."},"RequestId":"b7e2c1f0-0000-4000-8000-000000000001"}}')
pr('tencent-snapshots',0,200,'{"Response":{"TotalCount":1,"SnapshotSet":[{"SnapshotId":"lhsnap-nv6aqcv6","SnapshotState":"NORMAL","Percent":100,"CreatedTime":"2026-01-01T00:00:00Z"}],"RequestId":"r"}}')
pr('ecs-ok',1,200,'{"RequestId":"473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E","TotalCount":1,"PageNumber":1,"PageSize":10,"NextToken":"","Disks":{"Disk":[{"DiskId":"d-bp199lyny9b3xxxx","Status":"In_use","Size":40}]}}')
pr('ecs-error',1,403,'{"RequestId":"4D1C5F2F-0000-4000-8000-000000000002","HostId":"ecs.aliyuncs.com","Code":"IncorrectDiskStatus","Message":"The current disk status does not support this operation.","Recommend":"https://api.aliyun.com/troubleshoot?q=IncorrectDiskStatus"}')
pr('ecs-dryrun',1,400,'{"RequestId":"x","Code":"DryRunOperation","Message":"Request validation has been passed with DryRun flag set."}',True)
pr('ws-ok',2,200,'{"snapshots":[{"desktop_id":"1792d3eb-35c6-4e99-8381-abfc8e02126b","snapshot_id":"1792d3eb-35c6-4e99-8381-abfc8e02126c","status":"AVAILABLE"}],"total_count":1}',True)
pr('ws-error',2,400,'{"error_code":"WKS.0002","error_msg":"Invalid parameter.","request_id":"0f1e2d3c4b5a69788796a5b4c3d2e1f0"}',True)
pr('ws-nested',2,401,'{"error":{"code":"APIGW.0301","message":"Incorrect IAM authentication information"}}')
pr('ws-job',2,200,'{"id":"1792d3eb-35c6-4e99-8381-abfc8e02126b","status":"SUCCESS","entities":{},"sub_jobs":[]}')
pr('gateway-html',1,502,'<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>')
pr('empty',2,204,'')
pr('big-number',0,200,'{"Response":{"RequestId":"r","Size":1e400}}')

# ---- config_load
ex=open(ROOT+'/rewind.example.toml').read()
ex='\n'.join(l for l in ex.split('\n') if not l.lstrip().startswith('#'))
ex=re.sub(r'\s+#.*','',ex)
assert 'file' not in ex.replace('profiles','')
w('config_load','example.toml', ex)
w('config_load','demo-none.toml','listen = "127.0.0.1:8080"\n[auth]\nmode = "none"\n[[profiles]]\nname = "ecs"\nprovider = "alibaba"\nregions = ["cn-hangzhou"]\nsignature = "v1"\ncredentials = { id = "LTAI", secret_env = "SECRET", token_env = "TOKEN" }\nendpoint = { url = "http://127.0.0.1:8090", host = "ecs.cn-hangzhou.aliyuncs.com" }\n[[policy]]\nusers = ["*"]\nprofiles = ["*"]\nactions = ["read"]\n')
w('config_load','relay-header.toml','listen = "0.0.0.0:8080"\nmode = "relay"\n[auth]\nmode = "header"\n[auth.header]\nuser = "X-Forwarded-User"\ngroups = "X-Forwarded-Groups"\ntrusted_sources = ["127.0.0.1", "::1"]\n[relay]\nenabled = true\n[relay.hosts]\ntencent = ["lighthouse.tencentcloudapi.com"]\nhuawei = ["workspace.cn-north-4.myhuaweicloud.com:443"]\n[[policy]]\ngroups = ["ops"]\nprofiles = ["relay:tencent"]\nactions = ["ApplyInstanceSnapshot", "Describe*"]\nresources = ["lhins-*"]\n[limits]\nbody_bytes = 1\nrequests_per_minute = 0\n[cors]\norigins = ["https://rewind.example.com"]\n')

# ---- relay_parse
PROV={'tc3':0,'acs3':1,'acs-v1':1,'sdk-hmac':2}
for a,lst in sorted(byalg.items()):
    for f in lst[:2]:
        w('relay_parse', 'raw-'+f['name'], bytes([PROV[a]])+req_text(f).encode())
done=set()
for f in fx:
    inp=f['input']; prov=inp['provider'].split('-')[0]
    idx=ACTIONS.get((prov,inp['action']))
    if idx is None or idx in done: continue
    done.add(idx)
    sel=0x81 if inp['provider']=='alibaba-v1' else 0x80
    w('relay_parse', f'built-{idx:02}-{inp["action"]}', bytes([sel, idx])+json.dumps(inp['params'],ensure_ascii=False).encode())
