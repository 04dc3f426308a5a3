import pytest

from training import recipes, train


def test_every_recipe_is_valid_training_flags():
    book = recipes.load()
    parser = train.get_args_parser()
    for name in book:
        args = parser.parse_args(recipes.train_argv(name, "/runs", recipes=book))
        assert args.output_dir == f"/runs/{name}" and args.resume


def test_inheritance_and_run_references():
    book = {"base": {"model": "mnv3s", "epochs": 10, "teacher": ["run:t1", "run:t2"], "amp": True},
            "child": {"inherit": "base", "epochs": 20, "teacher": None, "teacher-logits": "run:ens/logits.pt",
                      "amp": False}}
    assert recipes.train_argv("base", "/r", recipes=book)[:8] == [
        "--model", "mnv3s", "--epochs", "10", "--teacher", "/r/t1/best.pt", "/r/t2/best.pt", "--amp"]
    child = recipes.train_argv("child", "/r", ["--epochs", "3"], recipes=book)
    assert child == ["--model", "mnv3s", "--epochs", "20", "--teacher-logits", "/r/ens/logits.pt",
                     "--output-dir", "/r/child", "--resume", "--epochs", "3"]


def test_unknown_and_circular_recipes(capsys):
    assert recipes.main(["args", "no-such-recipe"]) == 2
    assert "unknown recipe" in capsys.readouterr().err
    with pytest.raises(ValueError):
        recipes.resolve({"a": {"inherit": "b"}, "b": {"inherit": "a"}}, "a")
