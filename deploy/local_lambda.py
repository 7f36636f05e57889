"""Run an unpacked Lambda package locally, as Lambda would: a fresh interpreter with only
the package on its path (`python -I -S`, no site-packages), Zappa's
`handler.lambda_handler` called with the events API Gateway, S3 and EventBridge send.
Used by tests/deploy/test_lambda_package.py and bench/cold_start.py.

    with LocalLambda(package_dir, overrides={"DJANGO_SECRETS_ARN": ...}) as function:
        response = function.http("GET", "/accounts/login/", host="dev.now-portal.example")

`overrides` replace the stage's environment variables (the handler sets those from
zappa_settings.py itself, over whatever the process environment says).
"""

import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

RUNNER = Path(__file__).resolve()


class SecretsExtension:
    """A stand-in for the AWS Parameters and Secrets Lambda Extension's HTTP interface on
    localhost, as AWS documents it: GET /secretsmanager/get?secretId=…, with the
    function's session token in X-Aws-Parameters-Secrets-Token; the answer is Secrets
    Manager's GetSecretValue as JSON. `environ` is what the function's environment needs.

        with SecretsExtension({"now-portal/dev": json.dumps({...})}) as extension:
            LocalLambda(package_dir, {**overrides, **extension.environ})
    """

    TOKEN = "local-session-token"

    def __init__(self, secrets: dict):
        self.secrets = dict(secrets)
        self.requests = []  # (path, secretId, token) of every request, for tests

    def __enter__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlsplit

        extension = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                secret_id = parse_qs(parts.query).get("secretId", [""])[0]
                token = self.headers.get("X-Aws-Parameters-Secrets-Token")
                extension.requests.append((parts.path, secret_id, token))
                if token != extension.TOKEN:
                    self.send_error(401, "Unauthorized")
                elif parts.path != "/secretsmanager/get" or secret_id not in extension.secrets:
                    self.send_error(400, "ResourceNotFoundException")
                else:
                    body = json.dumps({"Name": secret_id,
                                       "SecretString": extension.secrets[secret_id]}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.environ = {
            "DJANGO_SECRETS_EXTENSION": "1",
            "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": str(self.server.server_address[1]),
            "AWS_SESSION_TOKEN": self.TOKEN,
        }
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def base_python() -> str:
    """The interpreter without any virtual environment: Lambda's python3.11 has none."""
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    candidate = Path(sys.base_prefix) / "bin" / version
    return str(candidate if candidate.exists() else Path(sys.base_prefix) / "bin" / "python3")


def api_gateway_event(method, path, *, host, headers=None, body="", query=None,
                      source_ip="203.0.113.7", stage="dev"):
    """An API Gateway REST API (v1) proxy event, as Zappa's API receives it."""
    all_headers = {
        "Host": host,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Port": "443",
        "X-Forwarded-For": source_ip,
        "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
        "Accept-Language": "de-DE,de;q=0.9,en;q=0.5",
        "User-Agent": "Mozilla/5.0 (local Lambda test)",
        **(headers or {}),
    }
    query = query or {}
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {key: [value] for key, value in all_headers.items()},
        "queryStringParameters": dict(query) or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} or None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": str(uuid.uuid4()),
            "domainName": host,
            "apiId": "localapi01",
            "identity": {"sourceIp": source_ip, "userAgent": all_headers["User-Agent"]},
        },
        "body": body or None,
        "isBase64Encoded": False,
    }


def s3_created_event(bucket, key, size, *, region="eu-central-1", function_name="now-portal-dev"):
    """An S3 ObjectCreated notification; keys arrive URL-encoded ("+" for a space)."""
    from urllib.parse import quote_plus

    return {"Records": [{
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        "eventName": "ObjectCreated:Put",
        "s3": {
            "s3SchemaVersion": "1.0",
            # Zappa names the bucket notification after the function (no ":" in it), so
            # the handler finds the function by the bucket's ARN in AWS_EVENT_MAPPING.
            "configurationId": function_name,
            "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
            "object": {"key": quote_plus(key), "size": size},
        },
    }]}


def scheduled_event(function, *, project="now-portal", stage="dev", region="eu-central-1",
                    account="111111111111"):
    """The EventBridge event of a Zappa `expression` event (rule named after the function)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{account}:rule/{project}-{stage}-{function}"],
        "detail": {},
    }


class Response:
    def __init__(self, result: dict):
        self.raw = result
        self.status = result["statusCode"]
        self.headers = {k.lower(): v for k, v in (result.get("multiValueHeaders") or {}).items()}
        body = result.get("body") or ""
        self.content = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        self.cookies = SimpleCookie()
        for value in self.headers.get("set-cookie", []):
            self.cookies.load(value)

    def header(self, name):
        values = self.headers.get(name.lower())
        return values[0] if values else None

    @property
    def text(self):
        return self.content.decode()


class LocalLambda:
    """One Lambda execution environment: started cold, then kept warm across invocations."""

    def __init__(self, package_dir, overrides=None, env=None, timeout=300, python_options=()):
        self.package_dir = Path(package_dir)
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", prefix="lambda-")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [base_python(), "-I", "-S", *python_options, str(RUNNER), str(self.package_dir), json.dumps(overrides or {}),
             str(timeout)],
            cwd=self.package_dir,
            env=env if env is not None else {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        self.cookies = {}

    def invoke(self, event) -> dict:
        self.process.stdin.write(json.dumps(event) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"The Lambda process ended. Its log:\n{self.read_log()}")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"{reply['error']}\nLog:\n{self.read_log()}")
        return reply["result"]

    def http(self, method, path, *, host, data=None, headers=None, query=None) -> Response:
        """An HTTP request through API Gateway; cookies are kept like a browser would."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = ""
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = Response(self.invoke(
            api_gateway_event(method, path, host=host, headers=headers, body=body, query=query)))
        for name, morsel in response.cookies.items():
            self.cookies[name] = morsel.value
        return response

    def read_log(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Context:
    """What Lambda passes as `context` (the parts Zappa and the handlers read)."""

    def __init__(self, timeout):
        self.function_name = "now-portal-local"
        self.memory_limit_in_mb = 1024
        self.invoked_function_arn = "arn:aws:lambda:eu-central-1:111111111111:function:now-portal-local"
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self):
        return int((self._deadline - time.monotonic()) * 1000)


def _serve(package_dir, overrides, timeout):
    """In the fresh interpreter: answer one event per line of stdin."""
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever the package prints goes to the log, not into the protocol
    sys.stdout = sys.stderr
    sys.path.insert(0, package_dir)
    os.chdir(package_dir)
    import zappa_settings  # the stage's settings, written by `zappa package`

    zappa_settings.ENVIRONMENT_VARIABLES.update(overrides)
    from handler import lambda_handler

    for line in sys.stdin:
        try:
            result = lambda_handler(json.loads(line), _Context(timeout))
            reply = {"result": result}
        except Exception as exc:  # reported to the caller with the log
            import traceback

            traceback.print_exc()
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        protocol.write(json.dumps(reply, default=str) + "\n")
        protocol.flush()


if __name__ == "__main__":
    _serve(sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3]))
