"""SSM Parameter Store: GetParametersByPath over several pages, recursively or one level, as the
dispatcher reads every application's configuration."""

import unittest

from support import client, unique


class SsmTest(unittest.TestCase):
    def setUp(self):
        self.ssm = client("ssm")
        self.root = f"/referees/{unique('apps')}"
        # 11 parameters two levels down (three tenants), one directly under the root.
        self.deep = [f"{self.root}/tenant-{i % 3}/app-{i:02d}" for i in range(11)]
        for name in [*self.deep, f"{self.root}/top"]:
            self.ssm.put_parameter(Name=name, Value=f'{{"name": "{name}"}}', Type="String")

    def test_get_parameters_by_path_pages_through_every_level_when_recursive(self):
        names = []
        tokens = 0
        kwargs = {"Path": self.root, "Recursive": True, "MaxResults": 5}
        while True:
            page = self.ssm.get_parameters_by_path(**kwargs)
            self.assertLessEqual(len(page["Parameters"]), 5)
            names += [p["Name"] for p in page["Parameters"]]
            if "NextToken" not in page:
                break
            tokens += 1
            kwargs["NextToken"] = page["NextToken"]

        self.assertGreaterEqual(tokens, 2, "12 parameters at 5 a page take at least three pages")
        self.assertEqual(sorted(names), sorted([*self.deep, f"{self.root}/top"]))

    def test_the_paginator_reads_the_same_parameters_with_their_values_and_versions(self):
        pages = self.ssm.get_paginator("get_parameters_by_path").paginate(
            Path=self.root, Recursive=True, PaginationConfig={"PageSize": 4}
        )
        parameters = [p for page in pages for p in page["Parameters"]]

        self.assertEqual(len(parameters), 12)
        for parameter in parameters:
            self.assertEqual(parameter["Type"], "String")
            self.assertEqual(parameter["Version"], 1)
            self.assertEqual(parameter["Value"], f'{{"name": "{parameter["Name"]}"}}')

    def test_get_parameters_by_path_reads_one_level_when_not_recursive(self):
        page = self.ssm.get_parameters_by_path(Path=self.root, Recursive=False)
        self.assertEqual([p["Name"] for p in page["Parameters"]], [f"{self.root}/top"])

    def test_an_overwritten_parameter_is_read_at_its_new_version(self):
        name = self.deep[0]
        self.ssm.put_parameter(Name=name, Value="{}", Type="String", Overwrite=True)

        pages = self.ssm.get_paginator("get_parameters_by_path").paginate(Path=f"{self.root}/tenant-0")
        [parameter] = [p for page in pages for p in page["Parameters"] if p["Name"] == name]
        self.assertEqual((parameter["Value"], parameter["Version"]), ("{}", 2))


if __name__ == "__main__":
    unittest.main()
