import json


def test_init_then_summary_json(cli):
    code, out, err = cli("init")
    assert code == 0, err
    code, out, err = cli("summary", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["measures"], data["agreements"], data["authorities"]) == (27, 4, 5)
